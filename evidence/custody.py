"""The chain-of-custody log: who or what captured, exported and verified evidence, and when.

Append-only JSON lines (``<data_dir>/evidence/custody.jsonl``). Each entry carries the SHA-256 of
the line before it (``prev``), so deleting, reordering or editing any past entry breaks the chain
at that point and :func:`check_log` names the line. Writers take an exclusive ``flock`` so
concurrent commands never interleave or fork the chain.
"""
from __future__ import annotations

import fcntl
import getpass
import hashlib
import json
import os
import socket
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from crawler.store.base import iso_utc
from evidence import evidence_root, shopwatch_version

LOG_NAME = "custody.jsonl"
GENESIS = "0" * 64
#: a log line longer than this is not ours (or was tampered with): reading stops with an error
MAX_LINE = 1024 * 1024


def log_path(data_dir: str | Path) -> Path:
    return evidence_root(data_dir) / LOG_NAME


def actor() -> str:
    """The operator as the system knows them (``SHOPWATCH_ACTOR`` overrides: a case officer's id)."""
    explicit = os.environ.get("SHOPWATCH_ACTOR")
    if explicit:
        return explicit
    try:
        user = getpass.getuser()
    except Exception:  # no login name (containers)
        user = f"uid{os.getuid()}"
    return f"{user}@{socket.gethostname()}"


def line_hash(line: bytes) -> str:
    return hashlib.sha256(line.rstrip(b"\n")).hexdigest()


def _last_line(fh: Any) -> bytes | None:
    fh.seek(0, os.SEEK_END)
    end = fh.tell()
    if end == 0:
        return None
    chunk = min(end, MAX_LINE + 1)
    fh.seek(end - chunk)
    tail = fh.read(chunk).rstrip(b"\n")
    return tail.rsplit(b"\n", 1)[-1]


def append(data_dir: str | Path, action: str, hit_ids: list[str], **detail: Any) -> dict[str, Any]:
    """Append one entry (``action``: captured, exported, verified, ...) and return it."""
    path = log_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            last = _last_line(fh)
            entry = {"at": iso_utc(), "action": action, "actor": actor(),
                     "tool": f"shopwatch {shopwatch_version()}", "hits": sorted(hit_ids),
                     "detail": detail, "prev": line_hash(last) if last else GENESIS}
            line = json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
            fh.seek(0, os.SEEK_END)
            fh.write(line + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    return entry


def read_lines(path: str | Path) -> Iterator[tuple[int, bytes]]:
    """(line number, raw line) of a log, bounded per line."""
    with open(path, "rb") as fh:
        for number, line in enumerate(iter(lambda: fh.readline(MAX_LINE + 1), b""), start=1):
            if len(line) > MAX_LINE:
                raise ValueError(f"{path}:{number}: line longer than {MAX_LINE} bytes")
            yield number, line.rstrip(b"\n")


def entries(path: str | Path) -> Iterator[dict[str, Any]]:
    for _number, line in read_lines(path):
        yield json.loads(line)


def check_lines(label: str, lines: Iterable[bytes]) -> list[str]:
    """Problems in a log's hash chain, each naming ``label:line``; [] when the chain is intact."""
    problems: list[str] = []
    prev = GENESIS
    for number, line in enumerate(lines, start=1):
        line = line.rstrip(b"\n")
        try:
            entry = json.loads(line)
        except ValueError:
            entry = None
        if not isinstance(entry, dict):
            problems.append(f"{label}:{number}: not a JSON entry")
        elif entry.get("prev") != prev:
            problems.append(f"{label}:{number}: chain broken (the entry does not follow line {number - 1} "
                            "as written: a line was edited, removed or inserted)")
        prev = line_hash(line)
    return problems


def check_log(path: str | Path) -> list[str]:
    """:func:`check_lines` for a log file."""
    return check_lines(str(path), (line for _n, line in read_lines(path)))
