"""The ``shopwatch`` command: one entry point for operators, monitors and the simulator.

Each sub-command is a small function; heavy imports happen inside them so ``shopwatch --help``
stays fast and a missing optional back end only breaks the command that needs it.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from crawler.errors import UserError

DEFAULT_DATA_DIR = "data"

#: Modules that add their own sub-commands: each has ``register(sub)`` taking the sub-parsers
#: action (one home per capability; this file keeps only the core commands).
COMMAND_MODULES: tuple[str, ...] = ("detect.cli", "crawler.cluster.cli", "evidence.cli")


def data_dir(args: argparse.Namespace) -> Path:
    return Path(args.data_dir or os.environ.get("SHOPWATCH_DATA_DIR") or DEFAULT_DATA_DIR)


def log_level(args: argparse.Namespace) -> str:
    return "INFO" if args.verbose else "WARNING"


def _key_value(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    key, value = text.split("=", 1)
    return key, value


def _int_at_least(minimum: int) -> Any:
    """An argparse type: a whole number >= ``minimum``, with an error naming the bad value."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected a number >= {minimum}, got {value}")
        return value

    return parse


positive = _int_at_least(1)
non_negative = _int_at_least(0)


def _add_world_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=non_negative, default=7, help="world seed (default 7)")
    p.add_argument("--merchants", type=positive, default=2000, help="merchants over all platforms (default 2000)")
    p.add_argument("--day", type=non_negative, default=0, help="simulated day (default 0)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shopwatch", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="where the embedded store and index live (default ./data or $SHOPWATCH_DATA_DIR)")
    parser.add_argument("-v", "--verbose", action="store_true", help="Scrapy's INFO log lines (default: warnings only)")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="start the simulator, crawl it into the store and index, print a summary")
    _add_world_args(demo)
    demo.add_argument("--port", type=non_negative, default=0, help="simulator port (default: a free one)")
    demo.add_argument("--faults", choices=["on", "off"], default="on", help="simulator faults at their default low rates")
    demo.add_argument("--platforms", default="weishop,miniapp,vshop,moments",
                      help="comma-separated platforms to crawl (vshop needs Chromium)")
    demo.add_argument("--evidence", type=non_negative, default=2, metavar="N",
                      help="fix evidence (Chromium screenshot, WARC, manifest) for N hits per family "
                           "while the simulator runs (default 2; 0 = off)")
    demo.set_defaults(func=cmd_demo)

    sim = sub.add_parser("mallsim", help="the storefront simulator")
    simsub = sim.add_subparsers(dest="mallsim_command", required=True)
    serve = simsub.add_parser("serve", help="serve the simulated platforms on one loopback port")
    _add_world_args(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=non_negative, default=8800)
    serve.add_argument("--faults", choices=["on", "off"], default="on")
    serve.set_defaults(func=cmd_mallsim_serve)
    truth = simsub.add_parser("truth", help="export the ground truth as JSON lines")
    _add_world_args(truth)
    truth.add_argument("--port", type=non_negative, default=8800, help="port used in the URLs (default 8800)")
    truth.add_argument("--out", required=True, help="output file, or - for stdout")
    truth.set_defaults(func=cmd_mallsim_truth)

    crawl = sub.add_parser("crawl", help="run one crawl job against the simulator (or a profile's site)")
    crawl.add_argument("spider", nargs="?", help="spider name: weishop, miniapp, vshop (browser), moments")
    crawl.add_argument("--profile", help="crawl with a YAML site profile instead of a spider")
    crawl.add_argument("-a", dest="spider_args", action="append", type=_key_value, default=[], metavar="NAME=VALUE")
    crawl.add_argument("-s", dest="settings", action="append", type=_key_value, default=[], metavar="NAME=VALUE",
                       help="override a setting (crawler/settings.py), as with scrapy crawl -s")
    crawl.add_argument("--port", type=positive, default=8800, help="simulator port (default 8800)")
    crawl.add_argument("--max-pages", type=positive, help="stop after this many pages")
    crawl.set_defaults(func=cmd_crawl)

    search = sub.add_parser("search", help="search the listing index")
    search.add_argument("query", nargs="+", help="terms (all must match; any length, 2-character words included)")
    search.add_argument("--platform")
    search.add_argument("--category")
    search.add_argument("--limit", type=positive, default=20)
    search.add_argument("--offset", type=non_negative, default=0)
    search.add_argument("--json", action="store_true", help="JSON lines, one per hit")
    search.set_defaults(func=cmd_search)

    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"shopwatch: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("shopwatch: interrupted", file=sys.stderr)
        return 130


# --- commands ---------------------------------------------------------------------------------

def cmd_demo(args: argparse.Namespace) -> int:
    from crawler.demo import run_demo

    platforms = [p.strip() for p in args.platforms.split(",") if p.strip()]
    return run_demo(
        data_dir=data_dir(args), seed=args.seed, merchants=args.merchants, day=args.day,
        port=args.port, faults=args.faults == "on", platforms=platforms, log_level=log_level(args),
        evidence=args.evidence,
    )


def _sim_config(args: argparse.Namespace, **extra: Any) -> Any:
    from mallsim.config import SimConfig

    try:
        return SimConfig(seed=args.seed, merchants=args.merchants, day=args.day, **extra)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def cmd_mallsim_serve(args: argparse.Namespace) -> int:
    from mallsim.server import run

    config = _sim_config(args, host=args.host, port=args.port, faults_enabled=args.faults == "on")
    run(config)
    return 0


def cmd_mallsim_truth(args: argparse.Namespace) -> int:
    from mallsim.truth import write_truth
    from mallsim.world import World, WorldConfig

    world = World(WorldConfig(seed=args.seed, merchants=args.merchants, day=args.day))

    def base_url(platform: str) -> str:
        return f"http://{platform}.mallsim.test:{args.port}"

    if args.out == "-":
        counts = write_truth(world, sys.stdout, base_url)
    else:
        with open(args.out, "w", encoding="utf-8") as out:
            counts = write_truth(world, out, base_url)
    print(json.dumps(counts, ensure_ascii=False), file=sys.stderr)
    return 0


def cmd_crawl(args: argparse.Namespace) -> int:
    from crawler.report import print_crawl_report
    from crawler.runner import CrawlSpec, run_crawls

    if bool(args.spider) == bool(args.profile):
        raise UserError("give either a spider name or --profile FILE (not both)")
    kwargs = dict(args.spider_args)
    if args.profile:
        from crawler.profiles import load_profile

        load_profile(args.profile)  # validate before starting: errors name the line
        spec = CrawlSpec("profile", {"profile": args.profile, **kwargs})
    else:
        spec = CrawlSpec(args.spider, kwargs)
    spec.kwargs.setdefault("port", str(args.port))
    overrides: dict[str, Any] = {"SHOPWATCH_PROGRESS": True, "SHOPWATCH_DATA_DIR": str(data_dir(args)),
                                 "LOG_LEVEL": log_level(args), **dict(args.settings)}
    if args.max_pages:
        overrides["CLOSESPIDER_PAGECOUNT"] = args.max_pages
    results = run_crawls([spec], overrides)
    print_crawl_report(results)
    unfinished = [r for r in results if r.stats.get("finish_reason") != "finished"]
    for r in unfinished:
        print(f"shopwatch: {r.spec.spider} stopped early: {r.stats.get('finish_reason')}", file=sys.stderr)
    return 1 if unfinished else 0


def cmd_search(args: argparse.Namespace) -> int:
    from crawler.config import open_index
    from search.render import print_results, result_lines

    with open_index(None, data_dir(args), existing=True) as index:
        result = index.search(" ".join(args.query), platform=args.platform, category=args.category,
                              limit=args.limit, offset=args.offset)
    if args.json:
        for line in result_lines(result):
            print(line)
    else:
        print_results(" ".join(args.query), result)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
