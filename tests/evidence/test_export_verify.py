"""`shopwatch evidence export` and `verify` from the command line, on evidence fixed with real
Chromium: a clean case verifies; every altered, added or removed file is named; hostile zips
(zip-slip names, bombs, too many members, not a zip) are refused with a clear message."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from evidence import custody
from tests.e2e.conftest import shopwatch

from .conftest import CAMPAIGN, Evidence


def sw(ev: Evidence, *args: str):  # noqa: ANN201 - CompletedProcess
    return shopwatch("--data-dir", str(ev.data_dir), "evidence", *args, timeout=120)


@pytest.fixture(scope="module")
def case(evidence: Evidence, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("case") / "case.zip"
    done = sw(evidence, "export", "--campaign", CAMPAIGN, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert f"exported {len(evidence.hits)} hit(s)" in done.stdout
    return out


def rewrite(src: Path, dst: Path, change: dict[str, bytes | None], add: dict[str, bytes] | None = None) -> Path:
    """A copy of the case zip with members replaced (bytes), dropped (None) or added."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = change.get(info.filename, zin.read(info)) if info.filename in change else zin.read(info)
            if data is not None:
                zout.writestr(info.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def test_exported_case_verifies(evidence: Evidence, case: Path) -> None:
    with zipfile.ZipFile(case) as zf:
        names = set(zf.namelist())
        doc = json.loads(zf.read("case.json"))
    assert doc["hits"] == sorted(h["id"] for h in evidence.hits.values()) and doc["campaign"] == CAMPAIGN
    assert set(doc["files"]) == names - {"case.json"} and "custody.jsonl" in names
    for hit in evidence.hits.values():
        assert f"evidence/{hit['id']}/screenshot.png" in names and f"evidence/{hit['id']}/manifest.json" in names
    done = sw(evidence, "verify", str(case))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith(f"OK: {case}: {len(names) - 1} files")


def test_export_and_verify_are_in_the_custody_log(evidence: Evidence, case: Path) -> None:
    sw(evidence, "verify", str(case))
    log = list(custody.entries(custody.log_path(evidence.data_dir)))
    actions = [e["action"] for e in log]
    assert "exported" in actions and "verified" in actions
    exported = [e for e in log if e["action"] == "exported" and e["detail"]["file"] == str(case)][0]
    from evidence.manifest import sha256_file

    assert exported["detail"]["sha256"] == sha256_file(case)[0]
    done = sw(evidence, "log", "--check")
    assert done.returncode == 0 and "chain intact" in done.stderr


def test_one_hit_export(evidence: Evidence, tmp_path: Path) -> None:
    hid = evidence.hits["vshop"]["id"]
    done = sw(evidence, "export", hid, "--out", str(tmp_path / "one.zip"))
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / "one.zip") as zf:
        assert {n.split("/")[1] for n in zf.namelist() if n.startswith("evidence/")} == {hid}
    assert sw(evidence, "verify", str(tmp_path / "one.zip")).returncode == 0


def test_altered_added_and_removed_files_are_named(evidence: Evidence, case: Path, tmp_path: Path) -> None:
    hid = evidence.hits["weishop"]["id"]
    other = evidence.hits["vshop"]["id"]
    with zipfile.ZipFile(case) as zf:
        png = bytearray(zf.read(f"evidence/{hid}/screenshot.png"))
    png[len(png) // 2] ^= 0x01  # one bit of one pixel row
    bad = rewrite(case, tmp_path / "bad.zip", {f"evidence/{hid}/screenshot.png": bytes(png),
                                                f"evidence/{other}/page.warc.gz": None},
                  add={"evidence/notes.txt": b"planted"})
    done = sw(evidence, "verify", str(bad))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert f"altered: evidence/{hid}/screenshot.png" in lines
    assert f"removed: evidence/{other}/page.warc.gz" in lines
    assert "added: evidence/notes.txt" in lines
    assert len(lines) == 4 and lines[-1].startswith("FAILED") and lines[-1].endswith("3 difference(s)")


def test_consistently_rewritten_manifest_is_caught_by_the_custody_record(evidence: Evidence, case: Path,
                                                                        tmp_path: Path) -> None:
    """A forger who swaps the screenshot and fixes both manifest.json and case.json still fails:
    the custody log recorded the manifest's hash at capture."""
    import hashlib

    hid = evidence.hits["weishop"]["id"]
    with zipfile.ZipFile(case) as zf:
        manifest = json.loads(zf.read(f"evidence/{hid}/manifest.json"))
        doc = json.loads(zf.read("case.json"))
    fake = b"\x89PNG forged"
    manifest["files"]["screenshot.png"] = {"sha256": hashlib.sha256(fake).hexdigest(), "bytes": len(fake)}
    mbytes = json.dumps(manifest).encode()
    doc["files"][f"evidence/{hid}/screenshot.png"]["sha256"] = hashlib.sha256(fake).hexdigest()
    doc["files"][f"evidence/{hid}/manifest.json"]["sha256"] = hashlib.sha256(mbytes).hexdigest()
    forged = rewrite(case, tmp_path / "forged.zip", {f"evidence/{hid}/screenshot.png": fake,
                                                      f"evidence/{hid}/manifest.json": mbytes,
                                                      "case.json": json.dumps(doc).encode()})
    done = sw(evidence, "verify", str(forged))
    assert done.returncode == 1
    assert f"altered: evidence/{hid}/manifest.json (its SHA-256 is not the one the custody log recorded at capture)" \
        in done.stdout.splitlines()


def test_edited_or_removed_custody_entries_break_the_chain(tmp_path: Path) -> None:
    for n in range(4):
        custody.append(tmp_path, "captured", [f"{n:016x}"], manifests={})
    log = custody.log_path(tmp_path)
    assert custody.check_log(log) == []
    lines = log.read_bytes().splitlines()
    entry = json.loads(lines[1])
    entry["actor"] = "someone-else"
    edited = [lines[0], json.dumps(entry, sort_keys=True, separators=(",", ":")).encode(), *lines[2:]]
    log.write_bytes(b"\n".join(edited) + b"\n")
    [problem] = custody.check_log(log)
    assert problem.startswith(f"{log}:3: chain broken")
    log.write_bytes(b"\n".join([lines[0], *lines[2:]]) + b"\n")  # an entry removed
    [problem] = custody.check_log(log)
    assert problem.startswith(f"{log}:2: chain broken")


def test_zip_slip_names_are_rejected_and_never_extracted(evidence: Evidence, case: Path, tmp_path: Path) -> None:
    evil = rewrite(case, tmp_path / "evil.zip", {}, add={"../../escape.txt": b"x", "/etc/cron.d/x": b"y"})
    done = sw(evidence, "verify", str(evil))
    assert done.returncode == 1
    assert "rejected: '../../escape.txt' (path escapes the archive)" in done.stdout
    assert "rejected: '/etc/cron.d/x' (absolute or non-portable path)" in done.stdout
    assert not (tmp_path.parent / "escape.txt").exists()


def test_hostile_and_broken_inputs_get_one_clear_line(evidence: Evidence, tmp_path: Path) -> None:
    (tmp_path / "not.zip").write_bytes(b"this is not a zip")
    done = sw(evidence, "verify", str(tmp_path / "not.zip"))
    assert done.returncode == 2 and "not a readable zip file" in done.stderr
    with zipfile.ZipFile(tmp_path / "bomb.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        with zf.open("evidence/0000000000000000/big.bin", "w", force_zip64=True) as fh:
            chunk = bytes(1 << 20)
            for _ in range(600):  # 600 MiB of zeros, about 600 KiB compressed
                fh.write(chunk)
    done = sw(evidence, "verify", str(tmp_path / "bomb.zip"))
    assert done.returncode == 2 and "larger than allowed" in done.stderr
    done = sw(evidence, "verify", str(tmp_path / "missing.zip"))
    assert done.returncode == 2 and "no such file" in done.stderr
    done = sw(evidence, "export", "nothex", "--out", str(tmp_path / "x.zip"))
    assert done.returncode == 2 and "is not a hit id" in done.stderr
    done = sw(evidence, "export", "0123456789abcdef", "--out", str(tmp_path / "x.zip"))
    assert done.returncode == 2 and "no evidence yet" in done.stderr and not (tmp_path / "x.zip").exists()
    done = sw(evidence, "export")
    assert done.returncode == 2  # argparse: --out is required


def test_a_case_file_is_never_overwritten(evidence: Evidence, case: Path) -> None:
    before = case.read_bytes()
    done = sw(evidence, "export", "--campaign", CAMPAIGN, "--out", str(case))
    assert done.returncode == 2 and "never overwritten" in done.stderr
    assert case.read_bytes() == before


def test_too_many_members_is_refused(evidence: Evidence, tmp_path: Path) -> None:
    from evidence.verify import MAX_MEMBERS

    with zipfile.ZipFile(tmp_path / "many.zip", "w") as zf:
        for i in range(MAX_MEMBERS + 1):
            zf.writestr(f"f{i}", b"")
    done = sw(evidence, "verify", str(tmp_path / "many.zip"))
    assert done.returncode == 2 and "more than" in done.stderr
