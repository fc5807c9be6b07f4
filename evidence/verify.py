"""``evidence verify``: recompute every hash in a case zip and name each file that was altered,
added or removed.

Three checks, each naming the member at fault: ``case.json`` against every member; each hit's
``manifest.json`` against its own files; each manifest against the SHA-256 the custody log
recorded when it was captured (and the log's hash chain). The zip is hostile input: members are
never extracted, only streamed through SHA-256 with bounds on count, size and total, and a member
whose name would escape a directory (zip-slip) is reported, not read.
"""
from __future__ import annotations

import json
import posixpath
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.errors import UserError
from evidence import is_hit_id
from evidence.custody import check_lines
from evidence.export import CASE_NAME, CUSTODY_MEMBER
from evidence.manifest import MANIFEST_NAME, diff_files, sha256_stream

MAX_MEMBERS = 20_000
MAX_MEMBER_BYTES = 512 * 1024 * 1024
MAX_TOTAL_BYTES = 8 * 1024**3
MAX_JSON_BYTES = 64 * 1024 * 1024


@dataclass
class VerifyReport:
    path: str
    hits: list[str] = field(default_factory=list)
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def unsafe_name(info: zipfile.ZipInfo) -> str | None:
    """Why a member name is not a plain relative file path inside the archive, or None."""
    name = info.filename
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or ":" in name.split("/")[0]:
        return "absolute or non-portable path"
    parts = name.split("/")
    if any(p in ("", ".", "..") for p in parts) or posixpath.normpath(name) != name:
        return "path escapes the archive"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "symbolic link"
    if info.is_dir():
        return "directory entry"
    return None


def verify_case(path: str | Path) -> VerifyReport:
    path = Path(path)
    report = VerifyReport(str(path))
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise UserError(f"{path}: not a readable zip file ({exc})") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise UserError(f"{path}: {len(infos)} members, more than {MAX_MEMBERS}: not a shopwatch case file")
        present: dict[str, str] = {}
        seen: set[str] = set()
        total = 0
        for info in infos:
            reason = unsafe_name(info)
            if reason:
                report.problems.append(f"rejected: {info.filename!r} ({reason})")
                continue
            if info.filename in seen:
                report.problems.append(f"rejected: {info.filename} (duplicate member)")
                continue
            seen.add(info.filename)
            try:
                with zf.open(info) as fh:
                    digest, size = sha256_stream(fh, limit=min(MAX_MEMBER_BYTES, MAX_TOTAL_BYTES - total))
            except ValueError:
                raise UserError(f"{path}: member {info.filename} is larger than allowed "
                                f"({MAX_MEMBER_BYTES} bytes each, {MAX_TOTAL_BYTES} in all)") from None
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
                report.problems.append(f"altered: {info.filename} (unreadable: {exc})")
                continue
            total += size
            if info.filename != CASE_NAME:
                present[info.filename] = digest
        case = _json_member(zf, CASE_NAME, report)
        if case is None:
            return report
        listed = case.get("files") if isinstance(case.get("files"), dict) else {}
        report.problems.extend(diff_files(listed, present).lines())
        report.hits = [h for h in case.get("hits") or [] if isinstance(h, str)]
        report.checked = len(present)
        recorded = _custody(zf, present, report)
        for hid in report.hits:
            _check_hit(zf, hid, present, recorded, report)
    return report


def _json_member(zf: zipfile.ZipFile, name: str, report: VerifyReport) -> dict[str, Any] | None:
    try:
        info = zf.getinfo(name)
    except KeyError:
        report.problems.append(f"removed: {name} (the case's list of files; nothing can be verified without it)")
        return None
    if info.file_size > MAX_JSON_BYTES:
        report.problems.append(f"altered: {name} (larger than {MAX_JSON_BYTES} bytes)")
        return None
    try:
        with zf.open(info) as fh:
            doc = json.loads(fh.read(MAX_JSON_BYTES + 1))
    except (ValueError, zipfile.BadZipFile, OSError) as exc:
        report.problems.append(f"altered: {name} (not valid JSON: {exc})")
        return None
    if not isinstance(doc, dict):
        report.problems.append(f"altered: {name} (not a JSON object)")
        return None
    return doc


def _custody(zf: zipfile.ZipFile, present: dict[str, str], report: VerifyReport) -> dict[str, set[str]]:
    """hit id → manifest SHA-256s the custody log recorded as captured; checks the chain."""
    recorded: dict[str, set[str]] = {}
    if CUSTODY_MEMBER not in present:
        return recorded
    with zf.open(CUSTODY_MEMBER) as fh:
        lines = fh.read(MAX_JSON_BYTES + 1).splitlines()
    report.problems.extend(f"altered: {p}" for p in check_lines(CUSTODY_MEMBER, lines))
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("action") == "captured":
            for hid, digest in ((entry.get("detail") or {}).get("manifests") or {}).items():
                recorded.setdefault(hid, set()).add(digest)
    return recorded


def _check_hit(zf: zipfile.ZipFile, hid: str, present: dict[str, str], recorded: dict[str, set[str]],
               report: VerifyReport) -> None:
    if not is_hit_id(hid):
        report.problems.append(f"altered: {CASE_NAME} (hit id {hid!r} is not a hit id)")
        return
    prefix = f"evidence/{hid}/"
    name = prefix + MANIFEST_NAME
    if name not in present:
        return  # already reported as removed (or never listed: reported as such)
    manifest = _json_member(zf, name, report)
    if manifest is None:
        return
    own = {n[len(prefix):]: d for n, d in present.items() if n.startswith(prefix) and n != name}
    listed = manifest.get("files") if isinstance(manifest.get("files"), dict) else {}
    known = set(report.problems)  # already named against case.json: say it once
    report.problems.extend(f"{line} (against {name})" for line in diff_files(listed, own).lines(prefix)
                           if line not in known)
    if recorded and present[name] not in recorded.get(hid, set()):
        report.problems.append(f"altered: {name} (its SHA-256 is not the one the custody log recorded at capture)")
