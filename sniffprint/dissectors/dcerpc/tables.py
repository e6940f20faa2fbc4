"""The bounded table every per-association map of the DCE/RPC dissector is kept in.

An association is fed by whoever is on the wire, so each of its maps (presentation contexts,
calls being reassembled, requests awaiting their response, printer handles) is keyed by values
the peer chooses (context ids, call ids, 20-byte handles). C706 12.6 bounds none of them; the
dissector must.

Invariants:
- A ``Capped`` never holds more than ``cap`` entries: storing a new key when full first drops
  the oldest entry (insertion order), so a flood of new ids costs old state, never memory.
- Replacing the value of a key already held drops nothing and keeps the key's place.
"""
from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Capped(dict[K, V], Generic[K, V]):
    """A dict holding at most ``cap`` entries: a new key past the cap drops the oldest."""

    __slots__ = ("cap",)

    def __init__(self, cap: int) -> None:
        super().__init__()
        self.cap = cap

    def __setitem__(self, k: K, v: V) -> None:
        if k not in self and len(self) >= self.cap:
            del self[next(iter(self))]
        super().__setitem__(k, v)
