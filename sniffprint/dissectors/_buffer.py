"""A bounded receive buffer for dissectors (h11's ReceiveBuffer idea).

Bytes are appended as they arrive and consumed from the front; searches resume where the last
one stopped, so scanning for a delimiter is O(n) over the whole stream, not O(n^2). ``max_size``
bounds what an incomplete message may hold: past it, ``ProtocolViolation``.
"""
from __future__ import annotations

from ..errors import ProtocolViolation


class Buffer:
    __slots__ = ("data", "max_size", "_scan", "consumed")

    def __init__(self, max_size: int = 1 << 20) -> None:
        self.data = bytearray()
        self.max_size = max_size
        self._scan = 0  # where the next delimiter search resumes
        self.consumed = 0  # stream offset of data[0]

    def __len__(self) -> int:
        return len(self.data)

    def feed(self, chunk: bytes) -> None:
        self.data += chunk
        if len(self.data) > self.max_size:
            raise ProtocolViolation(f"incomplete message over {self.max_size} bytes", self.consumed)

    def take(self, n: int) -> bytes:
        out = bytes(self.data[:n])
        del self.data[:n]
        self.consumed += len(out)
        self._scan = 0
        return out

    def take_until(self, delim: bytes) -> bytes | None:
        """Everything up to and including ``delim``, or None if it has not arrived yet."""
        i = self.data.find(delim, self._scan)
        if i < 0:
            self._scan = max(0, len(self.data) - len(delim) + 1)
            return None
        return self.take(i + len(delim))

    def clear(self) -> None:
        self.consumed += len(self.data)
        self.data.clear()
        self._scan = 0
