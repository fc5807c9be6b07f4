"""``python -m detect.build [--status]``: compile the detection modules (``detect.native``).

Exit status 1 with one line on stderr when the build fails: detection then runs interpreted
(same results, slower), so ``make`` goes on; ``make test`` under CI=true fails on it instead
(tests/detect/test_native.py).
"""
from __future__ import annotations

import sys

from detect import native


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--status"]:
        reason = native.check()
        print(f"compiled ({native.native_dir() / 'detect'})" if reason is None else f"interpreted: {reason}")
        return 0
    if args:
        print("usage: python -m detect.build [--status]", file=sys.stderr)
        return 2
    try:
        where = native.build()
    except Exception as exc:  # noqa: BLE001 - one line and an exit status, for make and setup
        print(f"detect.build: build failed ({type(exc).__name__}: {exc}); detection runs interpreted "
              "(same results, slower). It needs gcc and the Python headers (Debian: python3-dev).", file=sys.stderr)
        return 1
    print(f"detect.build: compiled {', '.join(native.COMPILED)} into {where / 'detect'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
