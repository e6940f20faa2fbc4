"""The record schema machinery: each record field is declared once, with ``col()``, and that
declaration is its schema (``Column``: frame dtype, one-line doc, sparse), read back by ``columns()``.

Invariant: no DSL and no metaclass: a field is a plain ``dataclasses.field`` whose ``metadata``
holds the schema, so the records stay ordinary frozen, slotted dataclasses.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import field
from typing import Any, NamedTuple


class Column(NamedTuple):
    """One field of a record as the schema sees it."""

    name: str
    dtype: str  # pandas dtype of its frame column ("object" for lists and dicts)
    doc: str  # one line for the contract tables
    sparse: bool  # written to JSON only when not None


def col(doc: str, dtype: str, default: Any = dataclasses.MISSING, *, sparse: bool = False,
        factory: Any = dataclasses.MISSING) -> Any:
    """Declare a record field with its schema (``dtype``, one-line ``doc``, ``sparse``)."""
    meta = {"doc": doc, "dtype": dtype, "sparse": sparse}
    if factory is not dataclasses.MISSING:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


def columns(cls: type) -> list[Column]:
    """The schema of a record class, in field order."""
    return [Column(f.name, f.metadata["dtype"], f.metadata["doc"], f.metadata["sparse"])
            for f in dataclasses.fields(cls)]


# the dtypes of the fields every record family shares
_IP, _PORT = "string", "UInt16"
_TS = "datetime64[ns, UTC]"


def iter_fields(rec: Any) -> Iterator[tuple[str, Any]]:
    for f in dataclasses.fields(rec):
        yield f.name, getattr(rec, f.name)
