"""What a stranger on the LAN can send: raw bytes no HTTP library would, and a gzip bomb."""

from __future__ import annotations

import asyncio
import struct
import zlib
from functools import cache

MIB = 1 << 20


@cache
def gzip_bomb(inflated_mib: int) -> bytes:
    """A valid gzip stream of ``inflated_mib`` MiB of zeros, about a thousandth of that in size.

    Built from one deflated MiB repeated (each ends in a full flush, so the copies are alike),
    not by compressing a gigabyte.
    """
    zeros = bytes(MIB)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate: the gzip frame is ours
    block = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(inflated_mib):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    final = b"\x03\x00"  # an empty last block
    size = (inflated_mib * MIB) & 0xFFFFFFFF
    return header + block * inflated_mib + final + struct.pack("<II", crc, size)


class _Answer(asyncio.Protocol):
    """Keeps every byte the server sends, whatever comes after them (a reset included)."""

    def __init__(self) -> None:
        self.received = bytearray()
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def data_received(self, data: bytes) -> None:
        self.received.extend(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


async def exchange(
    port: int, head: bytes, body: bytes = b"", *, hang_up: bool = False, source: str = "127.0.0.1"
) -> bytes:
    """Send ``head`` and ``body`` to the bridge on loopback; what it answers, until it closes.

    A server that answers before it has the whole body (a 401) may close the connection while
    the body goes out; the reset that follows must not lose what it said, as a stream reader
    would. ``hang_up``: close once it is sent, waiting for no answer. ``source``: the loopback
    address it comes from (another machine, as far as the bridge can tell).
    """
    loop = asyncio.get_running_loop()
    transport, answer = await loop.create_connection(
        _Answer, "127.0.0.1", port, local_addr=(source, 0)
    )
    try:
        transport.write(head + body)
        if hang_up:
            transport.close()  # after what is buffered has gone out
        await asyncio.wait_for(answer.closed, 10)
        return bytes(answer.received)
    finally:
        transport.abort()


def status_of(answer: bytes) -> int:
    """The status code of a raw HTTP answer."""
    return int(answer.split(b" ", 2)[1])
