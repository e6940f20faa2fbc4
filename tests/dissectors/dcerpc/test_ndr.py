"""The NDR reader (C706 14, MS-RPCE 2.2.5 NDR64): alignment, pointers, strings, bounds."""
from __future__ import annotations

import pytest

from sniffprint.dissectors.dcerpc.ndr import Ndr, NdrError
from tests.dissectors.dcerpc.vectors import Ndr as W


def test_primitives_are_aligned_from_the_stub_start():
    raw = W().raw(b"\x01").u16(2).u32(3).u64(4).bytes()
    r = Ndr(raw)
    assert (r.u8(), r.u16(), r.u32(), r.u64()) == (1, 2, 3, 4)
    assert r.pos == len(raw) == 16
    be = W(little=False).u32(0x01020304).bytes()
    assert Ndr(be, little=False).u32() == 0x01020304


def test_strings_and_unique_pointers_ndr_and_ndr64():
    for ndr64 in (False, True):
        raw = W(ndr64).ptr(0x20000).wstr("Floor2").ptr(0).wstr("x").bytes()
        r = Ndr(raw, ndr64=ndr64)
        assert r.unique_wstring() == "Floor2"
        assert r.unique_wstring() is None
        assert r.wstring() == "x"


def test_bounds_raise_the_internal_error_only():
    with pytest.raises(NdrError):
        Ndr(b"\x01\x00").u32()
    with pytest.raises(NdrError):
        Ndr(W().u32(10).u32(0).u32(11).bytes()).wstring()  # actual > max
    with pytest.raises(NdrError):
        Ndr(W().u32(5000).u32(0).u32(5000).bytes()).wstring()  # above the bound
    with pytest.raises(NdrError):
        Ndr(W().u32(1 << 20).bytes()).conformant_bytes(1 << 16)
    r = Ndr(b"\x00" * 20)
    assert r.handle() == b"\x00" * 20
    with pytest.raises(NdrError):
        r.skip(1)
