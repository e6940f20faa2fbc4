"""filekind: files that are not print languages, named by their first bytes."""
from __future__ import annotations

import pytest

from sniffprint.content.classify import filekind


@pytest.mark.parametrize("data, kind", [
    (b"-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n", "private key (PEM)"),
    (b"\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n", "private key (PEM)"),
    (b"-----BEGIN PGP PRIVATE KEY BLOCK-----\n", "private key (PEM)"),
    (b"-----BEGIN CERTIFICATE-----\nMIIB\n", "certificate (PEM)"),
    (b"-----BEGIN PUBLIC KEY-----\n", "PEM data"),
    (b"PuTTY-User-Key-File-2: ssh-rsa\n", "private key (PuTTY)"),
    (b"#!/bin/sh\necho hi\n", "shell script"),
    (b"#!/usr/bin/env bash\n", "shell script"),
    (b"#! /bin/busybox ash\n", "shell script"),
    (b"#!/usr/bin/python3\nprint(1)\n", "script"),
    (b"\x7fELF\x02\x01\x01\x00", "ELF executable"),
    (b"PK\x03\x04\x14\x00", "ZIP archive"),
    (b"<?xml version='1.0'?><a/>", "XML"),
    (b"Dear Alice,\nyour payslip\n", "text"),
    (b"\x00\x01\x02\x03binary\xff", "binary data"),
    (b"", "binary data"),
])
def test_kind(data: bytes, kind: str) -> None:
    assert filekind.kind(data) == kind


def test_is_text() -> None:
    assert filekind.is_text("Grüße aus Köln\r\n\tnext\x0c".encode())
    assert filekind.is_text("Grüße".encode("latin-1"))  # 8-bit text counts
    assert not filekind.is_text(b"text\x00with a NUL")
    assert not filekind.is_text(bytes(range(1, 32)) * 10)
    assert filekind.is_text(b"a" * 100 + b"\x1b")  # one control byte in 101 is still text
