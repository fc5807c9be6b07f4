"""Manifests: what a piece of evidence is (hit, URL, capture time UTC, job, tool version) and the
SHA-256 of every file beside it. One format for a hit's ``manifest.json`` and a case's
``case.json``; :func:`diff_files` is the comparison ``evidence verify`` reports."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

MANIFEST_NAME = "manifest.json"
CHUNK = 1024 * 1024


def sha256_stream(fh: BinaryIO, limit: int | None = None) -> tuple[str, int]:
    """(hex digest, bytes read); raises ValueError past ``limit`` bytes (a zip bomb stops here)."""
    digest, size = hashlib.sha256(), 0
    while chunk := fh.read(CHUNK):
        size += len(chunk)
        if limit is not None and size > limit:
            raise ValueError(f"more than {limit} bytes")
        digest.update(chunk)
    return digest.hexdigest(), size


def sha256_file(path: str | Path) -> tuple[str, int]:
    with open(path, "rb") as fh:
        return sha256_stream(fh)


def file_entries(directory: Path, names: list[str]) -> dict[str, dict[str, Any]]:
    """``{name: {"sha256", "bytes"}}`` for files in ``directory``."""
    out = {}
    for name in sorted(names):
        digest, size = sha256_file(directory / name)
        out[name] = {"sha256": digest, "bytes": size}
    return out


def dumps(doc: Mapping[str, Any]) -> bytes:
    """Stable bytes for a manifest: sorted keys, UTF-8, one trailing newline."""
    return (json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


@dataclass
class FileDiff:
    """What differs between the files a manifest lists and the files present."""

    altered: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.altered or self.added or self.removed)

    def lines(self, prefix: str = "") -> list[str]:
        return ([f"altered: {prefix}{n}" for n in self.altered] + [f"added: {prefix}{n}" for n in self.added]
                + [f"removed: {prefix}{n}" for n in self.removed])


def diff_files(listed: Mapping[str, Mapping[str, Any]], present: Mapping[str, str]) -> FileDiff:
    """Compare ``listed`` (name → {"sha256"}) with ``present`` (name → actual sha256)."""
    diff = FileDiff()
    for name in sorted(set(listed) | set(present)):
        if name not in present:
            diff.removed.append(name)
        elif name not in listed:
            diff.added.append(name)
        elif str(listed[name].get("sha256", "")).lower() != present[name]:
            diff.altered.append(name)
    return diff
