"""Shared test helpers: feed byte vectors every way (h11's ``tr()`` idea) and fuzz invariants."""
from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from sniffprint.dissectors.events import DocumentData, Event
from sniffprint.errors import ProtocolViolation
from sniffprint.model import Direction, FlowKey

KEY = FlowKey("tcp", "10.0.0.1", 40000, "10.0.0.2", 9100)


def key(server_port: int = 9100) -> FlowKey:
    return FlowKey("tcp", "10.0.0.1", 40000, "10.0.0.2", server_port)


def merge_data(events: Sequence[Event]) -> list[Event]:
    """Coalesce consecutive DocumentData events so that chunking does not change the result.

    Linear in the data: a run of pieces is joined once (``prev.data + ev.data`` per piece made
    byte-by-byte feeding of a large document quadratic in the test, not in the code under test).
    """
    out: list[Event] = []
    run_key: str | None = None
    pieces: list[bytes] = []

    def flush() -> None:
        if pieces:
            out.append(DocumentData(b"".join(pieces), run_key))
            pieces.clear()

    for ev in events:
        if isinstance(ev, DocumentData) and (not pieces or ev.key == run_key):
            run_key = ev.key
            pieces.append(bytes(ev.data))
        else:
            flush()
            if isinstance(ev, DocumentData):
                run_key = ev.key
                pieces.append(bytes(ev.data))
            else:
                out.append(ev)
    flush()
    return out


def run(factory: Callable[[], object], script: Sequence[tuple[Direction, bytes]],
        splitter: Callable[[bytes], list[bytes]]) -> list[Event]:
    d = factory()
    events: list[Event] = []
    for direction, data in script:
        for piece in splitter(data):
            events += d.feed(direction, piece)  # type: ignore[attr-defined]
    events += d.close()  # type: ignore[attr-defined]
    return merge_data(events)


def whole(b: bytes) -> list[bytes]:
    return [b]


def bytewise(b: bytes) -> list[bytes]:
    return [b[i:i + 1] for i in range(len(b))]


def random_splits(seed: int) -> Callable[[bytes], list[bytes]]:
    def split(b: bytes) -> list[bytes]:
        rnd = random.Random(seed)
        out, i = [], 0
        while i < len(b):
            n = rnd.randint(1, 64)
            out.append(b[i:i + n])
            i += n
        return out

    return split


def feed_every_way(factory: Callable[[], object], script: Sequence[tuple[Direction, bytes]]) -> list[Event]:
    """Feed ``script`` whole, byte by byte and in random splits; assert the same events each time."""
    expected = run(factory, script, whole)
    assert run(factory, script, bytewise) == expected, "byte-by-byte feeding changed the events"
    for seed in range(5):
        assert run(factory, script, random_splits(seed)) == expected, f"random split {seed} changed the events"
    return expected


def _mutant(rnd: random.Random, seeds: Sequence[bytes], i: int) -> bytes:
    """Case ``i`` of a fuzz run: three in four a seed with up to 8 random edits (a byte changed,
    bytes cut or inserted, the tail dropped), every fourth random bytes."""
    base = bytearray(rnd.choice(seeds)) if seeds and i % 4 else bytearray(rnd.randbytes(rnd.randint(0, 300)))
    for _ in range(rnd.randint(0, 8)):
        if not base:
            break
        op = rnd.random()
        pos = rnd.randrange(len(base))
        if op < 0.5:
            base[pos] = rnd.randrange(256)
        elif op < 0.7:
            del base[pos:pos + rnd.randint(1, 16)]
        elif op < 0.9:
            base[pos:pos] = rnd.randbytes(rnd.randint(1, 16))
        else:
            base = base[:pos]
    return bytes(base)


def fuzz(factory: Callable[[], object], seeds: Sequence[bytes], cases: int = 2000, rnd_seed: int = 1,
         direction: Direction = Direction.C2S) -> None:
    """Mutated and random inputs produce events or ProtocolViolation, nothing else."""
    rnd = random.Random(rnd_seed)
    for i in range(cases):
        base = _mutant(rnd, seeds, i)
        d = factory()
        try:
            for piece in random_splits(i)(base):
                d.feed(direction, piece)  # type: ignore[attr-defined]
            d.close()  # type: ignore[attr-defined]
        except ProtocolViolation:
            pass


def fuzz_datagrams(factory: Callable[[], object], seeds: Sequence[bytes], cases: int = 2000, rnd_seed: int = 1) -> None:
    """For datagram dissectors: mutated and random datagrams, each fed whole (in both directions,
    several to one dissector), produce events or ProtocolViolation, nothing else."""
    rnd = random.Random(rnd_seed)
    d = factory()
    for i in range(cases):
        base = _mutant(rnd, seeds, i)
        if i % 50 == 0:
            d = factory()
        try:
            d.feed(Direction.C2S if i % 2 else Direction.S2C, base)  # type: ignore[attr-defined]
        except ProtocolViolation:
            pass
    d.close()  # type: ignore[attr-defined]
