"""Push of the state document to the event subscribers (the API's WebSocket clients)."""

from __future__ import annotations

import asyncio

from hardware_bridge.runtime.documents import StateDocument

Document = StateDocument
# A slow client gets the newest state, not a backlog: a short queue whose oldest entry gives way.
QUEUE_LENGTH = 16


class StatePublisher:
    """Hands each new state document to every subscriber's queue."""

    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue[Document]] = set()

    def subscribe(self) -> asyncio.Queue[Document]:
        queue: asyncio.Queue[Document] = asyncio.Queue(maxsize=QUEUE_LENGTH)
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Document]) -> None:
        self._subscribers.discard(queue)

    @property
    def subscribed(self) -> bool:
        return bool(self._subscribers)

    def publish(self, document: Document) -> None:
        for queue in list(self._subscribers):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(document)
