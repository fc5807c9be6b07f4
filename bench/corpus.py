"""Detection quality on listings written outside the simulator: precision and recall per family.

    .venv/bin/python bench/corpus.py [--split dev|held-out|all] [--show N] [FILE ...]
    .venv/bin/python bench/corpus.py --final

The simulator's ground truth (``bench/detect.py``) says how the detectors do on the phrasing the
simulator generates; real sellers write otherwise. ``tests/detect/corpus/*.jsonl`` holds listings
written by hand by authors who had not seen the detectors' word lists, each labelled with the
families it violates (``families``, [] for a lawful listing) and why. A third of each file (ids
whose number is a multiple of 3) is **held out**: rules are mended on the ``dev`` split only, and
the held-out numbers say how the mends generalize. ``--show`` prints the dev split's misses and
false alarms, never the held-out ones (``--split held-out --show`` is refused). ``--final``
scores ``tests/detect/corpus/holdout/``: a set written last, by another author, after the rules
were mended, and scored once — none of it is ever shown.
"""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from detect.engine import Detector  # noqa: E402
from detect.quality import LISTING_FAMILIES, evaluate_labelled, read_labelled, split_of  # noqa: E402
from detect.registry import shipped_campaigns  # noqa: E402

CORPUS = ROOT / "tests" / "detect" / "corpus"
HOLDOUT = CORPUS / "holdout"
#: The day the corpus was labelled: "expired" and "future year" are judged as of then, so the
#: labels do not drift with the clock.
LABELLED_ON = date(2026, 11, 30)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path, help="JSONL corpus files (default: tests/detect/corpus/*.jsonl)")
    ap.add_argument("--split", choices=("dev", "held-out", "all"), default="all")
    ap.add_argument("--show", type=int, default=0, help="print N misses and false alarms per family (dev only)")
    ap.add_argument("--final", action="store_true", help="score the final held-out set (tests/detect/corpus/holdout)")
    args = ap.parse_args()
    if args.show and (args.split != "dev" or args.final):
        ap.error("--show prints the dev split only: add --split dev (the held-out sets stay unseen)")
    files = args.files or sorted((HOLDOUT if args.final else CORPUS).glob("*.jsonl"))
    if not files:
        ap.error(f"no corpus files in {HOLDOUT if args.final else CORPUS}")
    records = [r for f in files for r in read_labelled(f)]
    ids = [r["id"] for r in records]
    if len(set(ids)) != len(ids):
        raise SystemExit(f"duplicate ids in the corpus: {sorted({i for i in ids if ids.count(i) > 1})[:5]}")
    detector = Detector(shipped_campaigns(), today=LABELLED_ON)
    splits = ("final",) if args.final else ("dev", "held-out") if args.split == "all" else (args.split,)
    print(f"corpus: {len(records)} listings from {', '.join(f.name for f in files)}")
    print(f"{'split':<9} {'family':<14} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4} {'listings':>8}")
    for split in splits:
        part = records if split == "final" else [r for r in records if split_of(r["id"]) == split]
        quality, errors = evaluate_labelled(detector, part)
        for family, q in quality.items():
            print(f"{split:<9} {family:<14} {q.precision:>9.3f} {q.recall:>7.3f} {q.true_pos:>4} {q.false_pos:>4} "
                  f"{q.false_neg:>4} {len(part):>8}")
        if args.show:
            for family in LISTING_FAMILIES:
                for kind in ("fn", "fp"):
                    shown = [e for e in errors if e[0] == family and e[1] == kind][:args.show]
                    for _, _, record, hits in shown:
                        print(f"  {family} {kind} {record['id']}: {record['title']!r} | {record['description']!r}"
                              f" [{record.get('category')}] -- {record.get('why', '')}")
                        for m in hits:
                            print(f"      hit {m.rule}: {m.matched!r} {m.detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
