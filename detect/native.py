"""Compiled detection: the same Python modules, compiled with Cython (typed by their ``.pxd``).

Why: after the automaton (Rust) and the vectorized fold (numpy), a listing with a candidate term
still costs ~20 µs of interpreted verification, and that bounds the streaming engine against
the regex baseline (docs/campaigns.md). Cython compiles the unchanged ``.py`` files; the
``.pxd`` beside each declares C types for the hot loops. The ``.py`` stays the only source.

The compiled modules live outside the source tree (``build/native/detect``, or
``SHOPWATCH_NATIVE_DIR``) with a manifest of the sources' hashes. ``search_path`` puts that
directory first on the ``detect`` package path only while every hash still matches, so an
edited source is never shadowed by a stale build: it runs interpreted, with one warning, until
``python -m detect.build`` (``make native``, run by ``make demo`` and ``make test``).
``SHOPWATCH_NATIVE=0`` forces the interpreted modules (the conformance test compares the two).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

#: Modules compiled, in import order (a module's ``.pxd``, when present, types it).
COMPILED: tuple[str, ...] = ("text", "patents", "detectors", "engine")
SOURCE_DIR = Path(__file__).resolve().parent
DEFAULT_DIR = SOURCE_DIR.parent / "build" / "native"
MANIFEST = "manifest.json"
#: Cython directives: the ``.py`` annotations are documentation (``int`` there means any Python
#: int); the C types come from the ``.pxd`` files only. Bounds and negative indexes stay checked:
#: the engine indexes with offsets derived from crawled text, and a bug there must be an
#: IndexError, not a read past a buffer.
DIRECTIVES = {"language_level": 3, "annotation_typing": False, "boundscheck": True, "wraparound": True}

#: Why the interpreted modules run (None = compiled ones are active); set by ``search_path``.
inactive_reason: str | None = "not checked yet"


def native_dir() -> Path:
    return Path(os.environ.get("SHOPWATCH_NATIVE_DIR") or DEFAULT_DIR)


def _sources() -> list[Path]:
    paths = []
    for name in COMPILED:
        paths.append(SOURCE_DIR / f"{name}.py")
        if (SOURCE_DIR / f"{name}.pxd").exists():
            paths.append(SOURCE_DIR / f"{name}.pxd")
    return paths


def fingerprint() -> dict[str, str]:
    """What a build is valid for: the interpreter ABI and the hash of every compiled source."""
    found = {"abi": sys.implementation.cache_tag, "native.py": hashlib.sha256(Path(__file__).read_bytes()).hexdigest()}
    for path in _sources():
        found[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def check(directory: Path | None = None) -> str | None:
    """None if the build in ``directory`` matches the sources, else why it cannot be used."""
    directory = directory or native_dir()
    if os.environ.get("SHOPWATCH_NATIVE", "1") == "0":
        return "disabled by SHOPWATCH_NATIVE=0"
    try:
        built = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return f"not built ({directory}: run `make native` or `python -m detect.build`)"
    except (OSError, ValueError) as exc:
        return f"unreadable manifest in {directory}: {exc}"
    now = fingerprint()
    changed = sorted(k for k in now.keys() | built.keys() if now.get(k) != built.get(k))
    if changed:
        return f"out of date ({', '.join(changed)} changed since the build): run `make native`"
    return None


def search_path(package_path: list[str]) -> list[str]:
    """The ``detect`` package path: the compiled modules first when their build is current."""
    global inactive_reason
    directory = native_dir()
    inactive_reason = check(directory)
    if inactive_reason is None:
        return [str(directory / "detect"), *package_path]
    if not inactive_reason.startswith(("disabled", "not built")):
        logger.warning("detect: compiled modules not used, %s; running the interpreted ones", inactive_reason)
    return package_path


def compiled(module_file: str) -> bool:
    """True for the ``__file__`` of a compiled module (an extension, not the ``.py``): modules use
    it to pick a C loop that interpreted Python would run slowest."""
    return not module_file.endswith(".py")


def active() -> bool:
    """True when ``detect.engine`` and the other COMPILED modules are the compiled ones."""
    import detect.engine

    return compiled(detect.engine.__file__)


def build(directory: Path | None = None) -> Path:
    """Compile COMPILED into ``directory``/detect and write the manifest (last: a failed build
    leaves no manifest, so nothing half-built is ever imported)."""
    from Cython.Build import cythonize  # build-time only (the ``native`` extra)
    from setuptools import Distribution, Extension
    from setuptools.command.build_ext import build_ext

    directory = directory or native_dir()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MANIFEST).unlink(missing_ok=True)
    before = fingerprint()
    with tempfile.TemporaryDirectory(prefix="shopwatch-native-") as tmp:
        # Cython names a module after its package (detect/__init__.py): detect.engine, not engine
        extensions = [Extension(f"detect.{name}", [str(SOURCE_DIR / f"{name}.py")], extra_compile_args=["-O2"])
                      for name in COMPILED]
        extensions = cythonize(extensions, build_dir=tmp, compiler_directives=DIRECTIVES, quiet=True,
                               nthreads=os.cpu_count() or 1, force=True)
        command = build_ext(Distribution({"ext_modules": extensions}))
        command.build_lib, command.build_temp = str(directory), str(Path(tmp) / "obj")
        command.ensure_finalized()
        command.run()
    if fingerprint() != before:
        raise RuntimeError("detect sources changed during the build: run it again")
    (directory / MANIFEST).write_text(json.dumps(before, indent=1, sort_keys=True), encoding="utf-8")
    return directory
