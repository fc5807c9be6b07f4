"""``shopwatch evidence capture|export|verify|log`` (registered through crawler.cli.COMMAND_MODULES)."""
from __future__ import annotations

import argparse
import sys
from typing import Any

from crawler.cli import data_dir, positive
from crawler.errors import UserError
from evidence import evidence_root, is_hit_id


def register(sub: Any) -> None:
    ev = sub.add_parser("evidence", help="fix, export and verify evidence of detection hits")
    evsub = ev.add_subparsers(dest="evidence_command", required=True)

    cap = evsub.add_parser("capture", help="fix evidence (WARC records, highlighted screenshot, manifest) "
                                           "for hits that have none yet")
    cap.add_argument("--campaign", help="only this campaign's hits")
    cap.add_argument("--hit", action="append", default=[], metavar="HIT_ID", help="only this hit (repeatable)")
    cap.add_argument("--limit", type=positive, help="at most this many hits in this run")
    cap.set_defaults(func=cmd_capture)

    exp = evsub.add_parser("export", help="write hits' evidence as one case zip")
    exp.add_argument("hit_id", nargs="?", metavar="HIT_ID")
    exp.add_argument("--campaign", help="every hit of this campaign")
    exp.add_argument("--out", required=True, help="the case file to write, e.g. case.zip (never overwritten)")
    exp.set_defaults(func=cmd_export)

    ver = evsub.add_parser("verify", help="recompute every hash in a case zip; name what was altered, added "
                                          "or removed (exit 1 on any difference)")
    ver.add_argument("case", help="the case zip")
    ver.set_defaults(func=cmd_verify)

    log = evsub.add_parser("log", help="the chain-of-custody log (who captured, exported, verified, when)")
    log.add_argument("--check", action="store_true", help="only check the log's hash chain (exit 1 if broken)")
    log.set_defaults(func=cmd_log)


def _hit_id(text: str) -> str:
    if not is_hit_id(text):
        raise UserError(f"{text!r} is not a hit id (16 hex characters, as `shopwatch campaign show` prints)")
    return text


def cmd_capture(args: argparse.Namespace) -> int:
    from crawler.browser import BrowserMissing
    from crawler.config import open_store
    from evidence.capture import fix_evidence

    ids = [_hit_id(h) for h in args.hit]
    with open_store(None, data_dir(args), existing=True) as store:
        if ids:
            hits = [store.get_hit(h) for h in ids]
            unknown = [h for h, rec in zip(ids, hits) if rec is None]
            if unknown:
                raise UserError(f"no such hit: {', '.join(unknown)}")
        else:
            hits = list(store.iter_hits(campaign=args.campaign))
            if args.campaign and not hits:
                raise UserError(f"campaign {args.campaign!r} has no hits (see `shopwatch campaign list`)")
        try:
            report = fix_evidence(store, hits, data_dir(args), limit=args.limit,
                                  progress=lambda line: print(line, file=sys.stderr))
        except BrowserMissing as exc:
            raise UserError(str(exc)) from None
    print(f"evidence: {len(report.captured)} captured, {len(report.skipped)} already had evidence, "
          f"{len(report.failed)} failed ({report.seconds:.1f} s) in {evidence_root(data_dir(args))}")
    for hid, why in sorted(report.failed.items()):
        print(f"  failed {hid}: {why}")
    return 1 if report.failed else 0


def cmd_export(args: argparse.Namespace) -> int:
    from evidence.export import export_case

    if bool(args.hit_id) == bool(args.campaign):
        raise UserError("give either HIT_ID or --campaign ID (one of them)")
    if args.hit_id:
        ids = [_hit_id(args.hit_id)]
    else:
        from crawler.config import open_store

        with open_store(None, data_dir(args), existing=True) as store:
            ids = [h["id"] for h in store.iter_hits(campaign=args.campaign)]
    case = export_case(data_dir(args), ids, args.out, campaign=args.campaign)
    print(f"exported {len(case['hits'])} hit(s), {len(case['files'])} files to {args.out}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from evidence import custody
    from evidence.verify import verify_case

    report = verify_case(args.case)
    for line in report.problems:
        print(line)
    verdict = "OK" if report.ok else "FAILED"
    print(f"{verdict}: {args.case}: {report.checked} files of {len(report.hits)} hit(s) checked, "
          f"{len(report.problems)} difference(s)")
    if evidence_root(data_dir(args)).is_dir():  # record it where this operator keeps evidence
        custody.append(data_dir(args), "verified", report.hits, file=str(args.case), ok=report.ok,
                       differences=report.problems[:100])
    return 0 if report.ok else 1


def cmd_log(args: argparse.Namespace) -> int:
    import json

    from evidence import custody

    path = custody.log_path(data_dir(args))
    if not path.is_file():
        raise UserError(f"no custody log at {path} (nothing captured yet)")
    problems = custody.check_log(path)
    if not args.check:
        for entry in custody.entries(path):
            print(json.dumps({k: entry.get(k) for k in ("at", "action", "actor", "tool", "hits", "detail")},
                             ensure_ascii=False))
    for line in problems:
        print(line, file=sys.stderr)
    print(f"custody log {path}: {'chain intact' if not problems else f'{len(problems)} problem(s)'}",
          file=sys.stderr)
    return 1 if problems else 0
