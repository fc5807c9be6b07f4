"""``shopwatch campaign add|list|show|disable|enable|run|hits`` and ``shopwatch detect`` (offline
scan). ``run`` is the retroactive engine (``detect.runs``) over the configured store and index.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter
from dataclasses import replace
from itertools import islice
from pathlib import Path
from typing import IO, Any, Iterator

from crawler.cli import data_dir, positive
from crawler.errors import UserError

#: Longest input line ``detect`` accepts (a listing is a few kB; anything bigger is not one).
MAX_LINE_BYTES = 1024 * 1024
#: Fields of each output line, in order (docs/campaigns.md).
OUTPUT_FIELDS = ("id", "family", "rule", "campaign", "field", "matched", "start", "end")


def register(sub: Any) -> Any:
    """Add ``campaign`` and ``detect``; returns the ``campaign`` sub-parsers action."""
    camp = sub.add_parser("campaign", help="campaign definitions: add, list, show, disable, enable")
    csub = camp.add_subparsers(dest="campaign_command", required=True)
    add = csub.add_parser("add", help="validate a campaign YAML file and add it (same id: replace)")
    add.add_argument("file")
    add.set_defaults(func=cmd_campaign_add)
    ls = csub.add_parser("list", help="shipped and added campaigns, enabled or not")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_campaign_list)
    show = csub.add_parser("show", help="one campaign with its rules")
    show.add_argument("id")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=cmd_campaign_show)
    for name, func, text in (("disable", cmd_campaign_disable, "stop running a campaign (kept, can be enabled again)"),
                             ("enable", cmd_campaign_enable, "run a disabled campaign again")):
        p = csub.add_parser(name, help=text)
        p.add_argument("id")
        p.set_defaults(func=func)

    run = csub.add_parser("run", help="run a campaign over everything already stored and indexed")
    run.add_argument("id", help="campaign id (see `campaign list`)")
    run.add_argument("--since", type=_since, help="only listings/merchants seen at or after this "
                                                  "date or time (ISO-8601, e.g. 2026-06-01)")
    run.set_defaults(func=cmd_campaign_run)
    hits = csub.add_parser("hits", help="review recorded hits (newest last seen first)")
    hits.add_argument("id", nargs="?", help="campaign id (default: every campaign)")
    hits.add_argument("--family", choices=["tobacco", "fake_patent", "misleading_ad", "license"])
    hits.add_argument("--limit", type=positive, default=50)
    hits.add_argument("--json", action="store_true", help="JSON lines, one per hit")
    hits.set_defaults(func=cmd_campaign_hits)

    det = sub.add_parser("detect", help="scan listings from a JSON-lines file, write hits as JSON lines")
    det.add_argument("--input", required=True, help="listings, one JSON object per line (- for stdin)")
    det.add_argument("--output", required=True, help="hits, one JSON object per line (- for stdout)")
    det.add_argument("--campaign", action="append", default=[], metavar="ID",
                     help="only this campaign (repeatable; default: all enabled campaigns)")
    det.set_defaults(func=cmd_detect)
    return csub


def _since(text: str) -> str:
    from crawler.store.base import iso_utc

    try:
        return iso_utc(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an ISO-8601 date or time, got {text!r}") from None


def _registry(args: argparse.Namespace) -> Any:
    from detect.registry import CampaignRegistry

    return CampaignRegistry(data_dir(args))


def _summary(campaign: Any, shipped: bool) -> str:
    state = "enabled " if campaign.enabled else "disabled"
    families = ",".join(sorted({r.family for r in campaign.rules}))
    origin = "shipped" if shipped else "added"
    return f"{campaign.id:<20} {state} {origin:<7} {len(campaign.rules):>3} rules  {families:<30} {campaign.name}"


def cmd_campaign_add(args: argparse.Namespace) -> int:
    reg = _registry(args)
    campaign = reg.add(args.file)
    print(f"added campaign {campaign.id!r} ({len(campaign.rules)} rules) from {args.file}")
    return 0


def cmd_campaign_list(args: argparse.Namespace) -> int:
    reg = _registry(args)
    campaigns = reg.list()
    if args.json:
        for c in campaigns:
            print(json.dumps({**c.to_dict(), "shipped": reg.is_shipped(c)}, ensure_ascii=False))
        return 0
    for c in campaigns:
        print(_summary(c, reg.is_shipped(c)))
    return 0


def cmd_campaign_show(args: argparse.Namespace) -> int:
    reg = _registry(args)
    c = reg.get(args.id)
    if args.json:
        print(json.dumps({**c.to_dict(), "shipped": reg.is_shipped(c)}, ensure_ascii=False, indent=2))
        return 0
    print(_summary(c, reg.is_shipped(c)))
    if c.period:
        print(f"  period: {c.period[0] or '…'} .. {c.period[1] or '…'}")
    if c.platforms or c.categories:
        print(f"  scope: platforms {sorted(c.platforms) or 'all'}, categories {sorted(c.categories) or 'all'}")
    print(f"  source: {c.source}")
    for r in c.rules:
        if r.detector:
            print(f"  - {r.id} [{r.family}, {r.severity}] built-in detector {r.detector}")
            continue
        extra = []
        if r.near:
            extra.append(f"near {len(r.near.terms)} terms within {r.near.within}")
        if r.exclude:
            extra.append(f"{len(r.exclude)} exclusions")
        if r.unless:
            extra.append(f"unless {len(r.unless)}")
        if r.categories:
            extra.append(f"categories {','.join(sorted(r.categories))}")
        print(f"  - {r.id} [{r.family}, {r.severity}] {len(r.terms)} terms in {','.join(r.fields)}"
              + (f"; {'; '.join(extra)}" if extra else ""))
        print(f"      {'、'.join(r.terms[:12])}{' …' if len(r.terms) > 12 else ''}")
    return 0


def cmd_campaign_disable(args: argparse.Namespace) -> int:
    c = _registry(args).disable(args.id)
    print(f"campaign {c.id!r} disabled")
    return 0


def cmd_campaign_enable(args: argparse.Namespace) -> int:
    c = _registry(args).enable(args.id)
    print(f"campaign {c.id!r} enabled")
    return 0


def cmd_campaign_run(args: argparse.Namespace) -> int:
    from crawler.config import open_index, open_store
    from detect.review import print_run
    from detect.runs import run_campaign

    campaign = _registry(args).get(args.id)
    if not campaign.enabled:
        raise UserError(f"campaign {campaign.id!r} is disabled; `shopwatch campaign enable {campaign.id}` first")
    with open_store(None, data_dir(args), existing=True) as store, \
            open_index(None, data_dir(args), existing=True) as index:
        result = run_campaign(campaign, store, index, since=args.since)
    print_run(result)
    return 0


def cmd_campaign_hits(args: argparse.Namespace) -> int:
    from crawler.config import open_store
    from detect.review import hit_lines, print_hits

    if args.id:
        _registry(args).get(args.id)  # an unknown id is an error, not an empty list
    with open_store(None, data_dir(args), existing=True) as store:
        hits = sorted(store.iter_hits(campaign=args.id, family=args.family),
                      key=lambda h: (h.get("last_seen") or "", h["id"]), reverse=True)
    shown = hits[:args.limit]
    if args.json:
        for line in hit_lines(shown):
            print(line)
    else:
        print_hits(shown, f"{len(hits)} hits" + (f" of campaign {args.id}" if args.id else "")
                   + (f", showing {len(shown)}" if len(shown) < len(hits) else ""))
    return 0


# --- detect -----------------------------------------------------------------------------------

def _selected(args: argparse.Namespace) -> list[Any]:
    reg = _registry(args)
    if not args.campaign:
        return reg.enabled()
    return [replace(reg.get(cid), enabled=True) for cid in dict.fromkeys(args.campaign)]


def _read_listings(stream: IO[bytes], name: str, errors: list[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for every usable line; a bad line is reported and skipped."""
    for number, raw in enumerate(stream, 1):
        if len(raw) > MAX_LINE_BYTES:
            errors.append(f"{name}:{number}: line longer than {MAX_LINE_BYTES} bytes; skipped")
            continue
        if not raw.strip():
            continue
        try:
            doc = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            errors.append(f"{name}:{number}: not valid JSON ({exc}); skipped")
            continue
        if not isinstance(doc, dict):
            errors.append(f"{name}:{number}: expected a JSON object, got {type(doc).__name__}; skipped")
            continue
        if doc.get("id") in (None, "") and doc.get("item_id") in (None, ""):
            errors.append(f"{name}:{number}: no 'id'; skipped")
            continue
        bad = [k for k in ("title", "description", "category", "shop_name", "platform")
               if doc.get(k) is not None and not isinstance(doc.get(k), str)]
        if bad:
            errors.append(f"{name}:{number}: {', '.join(bad)} must be text; skipped")
            continue
        yield number, doc


def cmd_detect(args: argparse.Namespace) -> int:
    from detect.engine import Detector

    campaigns = _selected(args)
    if not campaigns:
        raise UserError("no enabled campaign to run (see `shopwatch campaign list`)")
    detector = Detector(campaigns)
    if args.input == "-":
        source: IO[bytes] = sys.stdin.buffer
    else:
        try:
            source = open(args.input, "rb")
        except OSError as exc:
            raise UserError(f"{args.input}: cannot read the input ({exc.strerror or exc})") from None
    errors: list[str] = []
    per_family: Counter[str] = Counter()
    scanned = 0
    out, tmp = _open_output(args.output)
    try:
        with source:
            docs = (doc for _number, doc in _read_listings(source, args.input, errors))
            for doc, matches in zip_batches(docs, detector.scan_listings):
                scanned += 1
                item_id = doc.get("id") if doc.get("id") not in (None, "") else doc.get("item_id")
                for m in matches:
                    per_family[m.family] += 1
                    row = {"id": item_id, "family": m.family, "rule": m.rule, "campaign": m.campaign,
                           "field": m.field, "matched": m.matched, "start": m.start, "end": m.end,
                           "severity": m.severity, "snippet": m.snippet}
                    if m.detail:
                        row["detail"] = m.detail
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
                if len(errors) > 1000:
                    raise UserError(f"{args.input}: more than 1000 bad lines; is this a JSON-lines listing file?")
    except BaseException:
        if tmp:
            out.close()
            os.unlink(tmp)
        raise
    if tmp:
        out.close()
        os.replace(tmp, args.output)
    for line in errors:
        print(f"shopwatch: {line}", file=sys.stderr)
    hits = ", ".join(f"{f} {n}" for f, n in sorted(per_family.items())) or "none"
    print(f"detect: {scanned} listings scanned, {len(errors)} lines skipped, hits: {hits} "
          f"({len(campaigns)} campaigns)", file=sys.stderr)
    return 1 if errors else 0


def zip_batches(docs: Iterator[dict[str, Any]], scan: Any, size: int = 512) -> Iterator[tuple[dict[str, Any], Any]]:
    """(doc, scan result) pairs, ``scan`` called on ``size`` docs at a time (the batch path)."""
    while True:
        chunk = list(islice(docs, size))
        if not chunk:
            return
        yield from zip(chunk, scan(chunk))


def _open_output(path: str) -> tuple[IO[str], str | None]:
    """stdout, or a temporary file beside ``path`` renamed over it at the end (a failed run
    leaves an existing output untouched)."""
    if path == "-":
        return sys.stdout, None
    target = Path(path)
    if not target.parent.exists():
        raise UserError(f"{path}: the output directory does not exist")
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    return os.fdopen(fd, "w", encoding="utf-8"), tmp
