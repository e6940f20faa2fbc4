"""The streaming writer interface every output format implements."""
from __future__ import annotations

from typing import IO, Any


class Writer:
    def __init__(self, fp: IO[str], *, show_all: bool = False, reveal: bool = False) -> None:
        self.fp = fp
        self.show_all = show_all
        self.reveal = reveal

    def begin(self) -> None:
        return None

    def flow(self, rec: dict[str, Any]) -> None:
        raise NotImplementedError

    def job(self, rec: dict[str, Any]) -> None:
        return None

    def anomaly(self, rec: dict[str, Any]) -> None:
        return None

    def finding(self, rec: dict[str, Any]) -> None:
        return None

    def printer(self, rec: dict[str, Any]) -> None:
        return None

    def end(self, stats: dict[str, Any]) -> None:
        """``stats`` is the run summary; verify adds ``verdict``, ``exit_code`` and ``reasons``."""
        return None
