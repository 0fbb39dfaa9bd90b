"""What the API's connections may cost: a cap on how many are open, and a deadline for strangers.

Every connection holds a file descriptor, and the bridge needs descriptors of its own: the
counters' saves, the Docker engine's socket, the I2C bus. aiohttp takes every connection it is
offered and waits for a first request as long as the client likes, so a thousand idle sockets,
no token needed, used to take all 1,024 descriptors a process gets by default. Here:

- at most ``limit`` connections hold a descriptor, counted from the ``accept()`` to the close:
  the listener accepts only while there is room (asyncio's own accepts a whole backlog at once,
  before any protocol hears of it); at the limit, the oldest connection that has not shown the
  token, once it has had ``FIRST_WORDS`` to speak, is closed to make room (a client with the
  token is never pushed out by strangers), and until there is one, new ones wait in the
  kernel's backlog;
- strangers on one address hold at most a quarter of the places: past that, a newcomer from it
  takes the place of its oldest, or is closed at once if they are all new, so a flood from one
  machine keeps nobody else waiting;
- a new connection must send a whole request line and headers within ``header_timeout``
  (after a first request, aiohttp's keep-alive timeout closes an idle or dawdling one);
- the process asks for its hard descriptor limit, and ``limit`` is lowered to leave ``RESERVE``
  descriptors for the bridge's own work whatever the clients do.

The wrapper sits between the event loop and aiohttp's protocol: aiohttp sees every byte and
every call as before.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import errno
import itertools
import logging
import resource
import socket
import time
from collections.abc import Callable
from typing import Any, Final

_LOGGER = logging.getLogger(__name__)
# Descriptors the bridge keeps for itself: stdio and its log, the listening sockets, the event
# loop's, zeroconf's, the I2C bus, the Docker pool's connections, a state file being replaced,
# /proc and /sys while the host is read. Counted generously: running short is the failure.
RESERVE: Final = 32
HEADER_TIMEOUT: Final = 10.0  # s for a new connection's first request line and headers
# s an idle connection is kept between requests: past the 15 s aiohttp's client (Home
# Assistant's) keeps one, so the client is the one to close it, not a race.
KEEPALIVE_TIMEOUT: Final = 20.0
SWEEP: Final = 1.0  # s between looks for connections past their deadline
ACCEPT_BATCH: Final = 16  # accepts per wake-up of the listener, so the loop serves the rest too
# s a new connection is safe from being closed to make room: time for its first request to
# arrive (a kernel short of backlog retransmits it after 200 ms or more).
FIRST_WORDS: Final = 1.0


def descriptor_budget(wanted: int, reserve: int = RESERVE) -> int:
    """How many connections the API may hold: ``wanted``, or fewer when descriptors are short.

    Raises the soft descriptor limit to the hard one first (no privilege needed).
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, wanted + reserve)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
    budget = min(wanted, soft - reserve)
    if budget < wanted:
        _LOGGER.warning(
            "only %d descriptors may be open (RLIMIT_NOFILE): at most %d API connections, not "
            "%d, so that %d stay for the counters, Docker and the bus (raise LimitNOFILE)",
            soft,
            max(budget, 1),
            wanted,
            reserve,
        )
    return max(budget, 1)


class Connection(asyncio.Protocol):
    """One client connection: aiohttp's protocol inside, the cap and the deadline around it."""

    def __init__(self, pool: ConnectionPool, inner: asyncio.Protocol) -> None:
        self.pool = pool
        self.inner = inner
        self.opened = time.monotonic()
        self.requested = False  # a whole request reached the application
        self.trusted = False  # a request on it carried the token
        self.transport: asyncio.Transport | None = None
        self.host = ""  # the client's address

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.opened = time.monotonic()
        peer = transport.get_extra_info("peername")
        self.host = str(peer[0]) if peer else ""
        self.pool.admit(self)
        self.inner.connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self.pool.forget(self)
        self.inner.connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()


class ConnectionPool:
    """The API's connections, oldest first, and the room left for more.

    A descriptor is counted from its ``accept()`` (``reserve``) until the connection is lost:
    one closed to make room holds its descriptor until the loop has closed it.
    """

    def __init__(self, limit: int, header_timeout: float = HEADER_TIMEOUT) -> None:
        self.limit = limit
        self.header_timeout = header_timeout
        self._open: dict[Connection, None] = {}  # a dict keeps the order they came in
        self._by_protocol: dict[Any, Connection] = {}
        self._accepted = 0  # accepted, their protocol not told yet
        self._closing: set[Connection] = set()  # closed by us, their descriptor not yet freed
        self._strangers: collections.Counter[str] = collections.Counter()  # by address
        self.dropped = 0  # strangers closed to make room, or for dawdling
        self.turned_away = 0  # newcomers closed at once: their address held its share
        self.on_room: Callable[[], None] = lambda: None

    @property
    def closing(self) -> int:
        """Connections closed to make room whose descriptors are not free yet."""
        return len(self._closing)

    @property
    def held(self) -> int:
        """Descriptors the API's connections hold now."""
        return len(self._open) + self._accepted + len(self._closing)

    def make_room(self) -> bool:
        """True if one more connection may be accepted now; else, room is being made (a
        stranger is being closed) or there is none, and ``on_room`` is called when there is."""
        if self.held < self.limit:
            return True
        # Strangers go a batch at a time (their descriptors are freed on the loop's next turn),
        # oldest first, and only once they have had a moment to speak: a newcomer whose request
        # the kernel is still delivering is not taken for an idle one.
        spoken = time.monotonic() - FIRST_WORDS
        strangers = (c for c in self._open if not c.trusted and c.opened < spoken)
        for stranger in list(itertools.islice(strangers, ACCEPT_BATCH - len(self._closing))):
            self._drop(stranger)
        return False

    def crowded(self, host: str) -> bool:
        """``host`` holds its share of the places for strangers (a quarter of them), and none
        of its strangers could make way for one more: a newcomer from it is closed at once.

        Strangers on one address (a flood from one machine on the LAN) then cannot keep
        newcomers from any other (Home Assistant's) waiting in the kernel's backlog.
        """
        if self._strangers[host] < max(1, self.limit // 4):
            return False
        spoken = time.monotonic() - FIRST_WORDS
        oldest = next(
            (c for c in self._open if not c.trusted and c.host == host and c.opened < spoken),
            None,
        )
        if oldest is None:
            self.turned_away += 1
            return True
        self._drop(oldest)  # the newcomer takes its place
        return False

    def reserve(self) -> None:
        """A connection was accepted: its descriptor counts from now."""
        self._accepted += 1

    def unreserve(self) -> None:
        """An accepted connection never reached its protocol."""
        self._accepted -= 1
        self.on_room()

    def admit(self, connection: Connection) -> None:
        self._accepted = max(0, self._accepted - 1)
        self._open[connection] = None
        self._by_protocol[connection.inner] = connection
        self._strangers[connection.host] += 1

    def forget(self, connection: Connection) -> None:
        """``connection`` is closed and its descriptor free."""
        if connection in self._open:
            del self._open[connection]
            self._count_out(connection)
        self._by_protocol.pop(connection.inner, None)
        self._closing.discard(connection)
        self.on_room()

    def requested(self, protocol: Any, *, trusted: bool) -> None:
        """A request reached the application on ``protocol``'s connection, with the token or
        without it. Unknown protocols (a test server's) are left alone."""
        connection = self._by_protocol.get(protocol)
        if connection is not None:
            connection.requested = True
            if trusted and not connection.trusted:
                self._count_out(connection)
                connection.trusted = True

    def sweep(self, now: float) -> None:
        """Close the connections that have not sent a first request in time."""
        for connection in list(self._open):
            if connection.opened + self.header_timeout > now:
                break  # oldest first: the rest are younger still
            if not connection.requested:
                self._drop(connection)

    def _count_out(self, connection: Connection) -> None:
        """``connection`` is no longer a stranger in the pool: it left, or showed the token."""
        if not connection.trusted:
            self._strangers[connection.host] -= 1
            if self._strangers[connection.host] <= 0:
                del self._strangers[connection.host]

    def _drop(self, connection: Connection) -> None:
        del self._open[connection]
        self._count_out(connection)
        self._closing.add(connection)
        self.dropped += 1
        if connection.transport is not None:
            connection.transport.abort()


class Listener:
    """A listening socket that accepts only while the pool has room."""

    def __init__(
        self, pool: ConnectionPool, factory: Callable[[], asyncio.Protocol], host: str, port: int
    ) -> None:
        self._pool = pool
        self._factory = factory
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        self._socket = socket.create_server((host, port), family=family[0][0], backlog=128)
        self._socket.setblocking(False)
        self._loop = asyncio.get_running_loop()
        self._listening = False
        self._connecting: set[asyncio.Task[Any]] = set()
        self._sweeper = self._loop.create_task(self._sweep())
        pool.on_room = self._listen
        self._listen()

    @property
    def port(self) -> int:
        port: int = self._socket.getsockname()[1]
        return port

    def _listen(self) -> None:
        if not self._listening and self._socket.fileno() >= 0:
            self._loop.add_reader(self._socket.fileno(), self._accept)
            self._listening = True

    def _wait(self) -> None:
        if self._listening:
            self._loop.remove_reader(self._socket.fileno())
            self._listening = False

    def _accept(self) -> None:
        for _ in range(ACCEPT_BATCH):
            if not self._pool.make_room():
                self._wait()  # until a connection goes: the pool calls on_room
                if not self._pool.closing:
                    # Every stranger is new, or every connection trusted: look again soon.
                    self._loop.call_later(FIRST_WORDS / 4, self._listen)
                return
            try:
                client, address = self._socket.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as err:
                if err.errno == errno.ECONNABORTED:
                    continue
                # Out of descriptors after all (another part of the process took them): wait
                # rather than spin, and say so (the log throttle keeps it to a line a minute).
                _LOGGER.warning("accept() failed: %s; trying again in a second", err)
                self._wait()
                self._loop.call_later(1.0, self._listen)
                return
            if self._pool.crowded(str(address[0])):
                client.close()
                continue
            self._pool.reserve()
            task = self._loop.create_task(self._connect(client))
            self._connecting.add(task)
            task.add_done_callback(self._connecting.discard)

    async def _connect(self, client: socket.socket) -> None:
        try:
            await self._loop.connect_accepted_socket(self._factory, client)
        except OSError:
            client.close()
            self._pool.unreserve()

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(SWEEP)
            self._pool.sweep(time.monotonic())

    def close(self) -> None:
        """Stop listening; the connections are aiohttp's to close."""
        self._pool.on_room = lambda: None
        self._wait()
        self._sweeper.cancel()
        for task in self._connecting:
            task.cancel()
        self._socket.close()


def listen(
    pool: ConnectionPool, factory: Callable[[], asyncio.Protocol], host: str, port: int
) -> Listener:
    """Accept connections on ``host``:``port`` into ``factory``'s protocols, within ``pool``."""
    return Listener(pool, lambda: Connection(pool, factory()), host, port)
