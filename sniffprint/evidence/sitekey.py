"""The site's hash key: the secret that keys the BLAKE2b of user, job and document names.

A hash of a name is only as secret as its key: with a key known to everyone (a constant in the
source), anyone holding a list of likely names (the staff directory) reverses every
``<redacted:...>`` value by hashing the list. So every site has its own random key:

1. ``Options.hash_key`` (the CLI's ``--hash-key-file FILE``), when given;
2. else the ``SNIFFPRINT_HASH_KEY`` environment variable;
3. else the site key file, ``$XDG_CONFIG_HOME/sniffprint/hash.key`` (``~/.config/sniffprint/hash.key``
   when ``XDG_CONFIG_HOME`` is unset or relative, as the XDG base directory spec says). The first run
   creates it: 256 random bits from ``secrets``, written as 64 hex digits, mode 0600, in a
   directory of mode 0700 whatever the umask, atomically (a temporary file linked into place, so
   two first runs at once agree on one key). Later runs read it: the same site keeps correlating
   names across runs, and two sites (two key files) never share hashes.

If the key file can neither be read nor created, the run uses a random key of its own (names then
correlate within the run only) and says why; it never falls back to a constant.

Key material from a file is its content without surrounding white space: 64 hex digits are read
as the 32 bytes they spell, anything else is used as bytes. BLAKE2b takes keys of up to 64 bytes;
longer material is first hashed down to 64 bytes. Only ``key_id`` (a hash of the key under its own
personalisation) is ever written anywhere (the evidence manifest), never the key.

This module never prints: what the user should be told (a key file was created, or could not
be) is ``SiteKey.notice``, which the CLI shows on stderr and ``api.analyze`` logs.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import OptionsError
from .folder import make_private_dirs

ENV = "SNIFFPRINT_HASH_KEY"
KEY_BYTES = 32  # 256 bits
MAX_KEY = 64  # BLAKE2b's longest key
_ID_PERSON = b"sniffprint-keyid"  # 16 bytes: BLAKE2b personalisation of key ids


def key_id(key: bytes) -> str:
    """A public name for a key (16 hex digits): tells whether two runs hashed with the same key."""
    return hashlib.blake2b(key, digest_size=8, person=_ID_PERSON).hexdigest()


def key_from_material(material: bytes) -> bytes:
    """The BLAKE2b key that some key material stands for (see the module docstring)."""
    material = material.strip()
    if not material:
        raise OptionsError("the hash key is empty")
    try:
        text = material.decode("ascii")
        if len(text) == 2 * KEY_BYTES:
            return bytes.fromhex(text)
    except (UnicodeDecodeError, ValueError):
        pass
    if len(material) > MAX_KEY:
        return hashlib.blake2b(material, digest_size=MAX_KEY).digest()
    return material


def read_key_file(path: str | Path) -> bytes:
    """The key in a key file (``--hash-key-file``); ``OptionsError`` when it cannot be read."""
    try:
        with open(path, "rb") as fp:
            material = fp.read(1 << 16)
    except OSError as exc:
        raise OptionsError(f"hash key file {path}: {exc.strerror or exc}") from None
    try:
        return key_from_material(material)
    except OptionsError:
        raise OptionsError(f"hash key file {path} is empty") from None


def default_key_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the site key lives: ``$XDG_CONFIG_HOME/sniffprint/hash.key`` or ``~/.config/...``."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME", "")
    if not base or not os.path.isabs(base):  # XDG: a relative value is invalid and ignored
        home = env.get("HOME") or os.path.expanduser("~")
        base = os.path.join(home, ".config")
    return Path(base) / "sniffprint" / "hash.key"


@dataclass(slots=True, frozen=True)
class SiteKey:
    """The key a run hashes names with, where it came from, and what to tell the user."""

    key: bytes = field(repr=False)
    source: str  # "option", "environment", "site key file" or "one-run key"
    path: str | None = None  # the key file, when it came from one
    created: bool = False  # this run created the site key file
    notice: str | None = None  # one line for the user (the CLI prints it, the API logs it)

    @property
    def id(self) -> str:
        return key_id(self.key)


def resolve(key: bytes | None = None, environ: Mapping[str, str] | None = None) -> SiteKey:
    """The run's key: ``key`` (an option) if given, else ``SNIFFPRINT_HASH_KEY``, else the site key
    file (created on first use)."""
    env = os.environ if environ is None else environ
    if key is not None:  # already a key (read_key_file made it one): used as it is
        if not key:
            raise OptionsError("the hash key is empty")
        return SiteKey(key if len(key) <= MAX_KEY else hashlib.blake2b(key, digest_size=MAX_KEY).digest(),
                       "option")
    if env.get(ENV):
        return SiteKey(key_from_material(env[ENV].encode("utf-8", "surrogateescape")), "environment")
    path = default_key_path(env)
    try:
        return _site_key(path)
    except OSError as exc:
        return SiteKey(secrets.token_bytes(KEY_BYTES), "one-run key", notice=(
            f"cannot use the hash key file {path} ({exc.strerror or exc}): names are hashed with a key "
            "for this run only and will not correlate with other runs (use --hash-key-file or "
            f"{ENV})"))


def _site_key(path: Path) -> SiteKey:
    try:
        return _read_site_key(path)
    except FileNotFoundError:
        pass
    make_private_dirs(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        os.fchmod(fd, 0o600)  # whatever the umask
        os.write(fd, (secrets.token_bytes(KEY_BYTES).hex() + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # atomic, and never replaces a key another run created meanwhile
        created = True
    except FileExistsError:
        created = False
    finally:
        os.unlink(tmp)
    site = _read_site_key(path)
    if not created:
        return site
    return SiteKey(site.key, site.source, site.path, True, notice=(
        f"created a hash key for this site in {path} (mode 0600): user, job and document names are "
        "hashed with it; keep it to correlate names across runs, copy it to correlate across machines"))


def _read_site_key(path: Path) -> SiteKey:
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise OSError(0, "not a regular file")
    key = read_key_file(path)
    notice = None
    if st.st_mode & 0o077:
        notice = (f"the hash key file {path} is readable by other users (mode {oct(st.st_mode & 0o777)}): "
                  "anyone who reads it can reverse hashed names; chmod 600 it")
    return SiteKey(key, "site key file", str(path), False, notice)
