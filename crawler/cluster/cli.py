"""Sub-commands of distributed crawling: `shopwatch jobs submit|status|cancel|list` and
`shopwatch worker`. `jobs list` shows the jobs recorded in the store (local crawls and finished
cluster jobs) together with the cluster jobs in Redis when REDIS_URL is set."""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from crawler.cli import _key_value, data_dir, log_level, non_negative, positive
from crawler.errors import UserError


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected requests per second, got {text!r}") from None
    if not 0 < value <= 10_000:
        raise argparse.ArgumentTypeError(f"expected a rate in (0, 10000] requests/s, got {text}")
    return value


def register(sub: Any) -> None:
    jobs = sub.add_parser("jobs", help="crawl jobs: the store's records and distributed jobs in Redis")
    jobsub = jobs.add_subparsers(dest="jobs_command", required=True)

    jl = jobsub.add_parser("list", help="recent jobs, newest first (store records + cluster jobs)")
    jl.add_argument("--limit", type=positive, default=20)
    jl.add_argument("--json", action="store_true")
    jl.set_defaults(func=cmd_jobs_list)

    js = jobsub.add_parser("submit", help="create a distributed job in Redis and seed it (needs REDIS_URL)")
    js.add_argument("spider", nargs="?", help="spider name: weishop, miniapp, moments")
    js.add_argument("--profile", help="a YAML site profile instead of a spider (its text goes into the job)")
    js.add_argument("--name", help="a name for the job (part of its id)")
    js.add_argument("-a", dest="spider_args", action="append", type=_key_value, default=[], metavar="NAME=VALUE")
    js.add_argument("--port", type=positive, default=8800, help="simulator port (default 8800)")
    js.add_argument("--max-pages", type=non_negative, default=0, help="page budget of the whole job (0 = none)")
    js.add_argument("--rate", type=_rate, help="requests/s per domain for all workers together")
    js.add_argument("--domain-concurrency", type=positive, help="requests in flight per domain, all workers together")
    js.add_argument("--json", action="store_true", help="print the job as JSON")
    js.set_defaults(func=cmd_jobs_submit)

    st = jobsub.add_parser("status", help="queued / in flight / done / failed, rate, workers of a job")
    st.add_argument("job_id")
    st.add_argument("--json", action="store_true", help="the snapshot as one JSON object")
    st.add_argument("--watch", type=float, metavar="SECONDS", help="print a line every SECONDS until the job ends")
    st.set_defaults(func=cmd_jobs_status)

    jc = jobsub.add_parser("cancel", help="stop a job: workers close their crawlers, its queue is freed")
    jc.add_argument("job_id")
    jc.set_defaults(func=cmd_jobs_cancel)

    w = sub.add_parser("worker", help="serve distributed jobs from Redis (run any number, anywhere)")
    w.add_argument("--jobs", help="comma-separated job ids to serve (default: every running job)")
    w.add_argument("--concurrency", type=positive, help="requests in flight in this worker (CONCURRENT_REQUESTS)")
    w.add_argument("--exit-when-idle", action="store_true", help="exit once no served job is running")
    w.add_argument("-s", dest="settings", action="append", type=_key_value, default=[], metavar="NAME=VALUE",
                   help="a Scrapy/shopwatch setting for this worker, e.g. -s SHOPWATCH_CLUSTER_LEASE_SECONDS=30")
    w.set_defaults(func=cmd_worker)


def _settings() -> Any:
    from crawler.runner import project_settings

    return project_settings()


def _redis(settings: Any) -> tuple[Any, Any]:
    from crawler.cluster import connection

    return connection.connect(connection.redis_url(settings)), connection.keys(settings)


def cmd_jobs_submit(args: argparse.Namespace) -> int:
    from crawler.cluster.registry import JobSpec, submit

    settings = _settings()
    server, keys = _redis(settings)
    spider_args = {"port": str(args.port), **dict(args.spider_args)}
    spec = JobSpec(spider=args.spider, profile=args.profile, args=spider_args, name=args.name,
                   max_pages=args.max_pages, rate=args.rate, concurrency=args.domain_concurrency)
    job_id, seeded = submit(server, keys, spec, settings)
    if args.json:
        print(json.dumps({"id": job_id, "seeded": seeded}))
    else:
        print(f"{job_id}  ({seeded} start requests queued; run `shopwatch worker` to crawl it)")
    return 0


def cmd_jobs_status(args: argparse.Namespace) -> int:
    from crawler.cluster.progress import print_status, snapshot, watch

    settings = _settings()
    server, keys = _redis(settings)
    ttl = settings.getfloat("SHOPWATCH_CLUSTER_WORKER_TTL", 10.0)
    if args.watch is not None:
        if args.watch <= 0:
            raise UserError(f"--watch needs a positive number of seconds, got {args.watch}")
        snap = watch(server, keys, args.job_id, args.watch, ttl, sys.stderr)
    else:
        snap = snapshot(server, keys, args.job_id, ttl)
    if args.json:
        print(json.dumps(snap, ensure_ascii=False))
    else:
        print_status(snap)
    return 0


def cmd_jobs_cancel(args: argparse.Namespace) -> int:
    from crawler.cluster.registry import cancel

    server, keys = _redis(_settings())
    if cancel(server, keys, args.job_id):
        print(f"{args.job_id} cancelled; workers stop it at their next call to Redis")
        return 0
    raise UserError(f"job {args.job_id} is not running (nothing to cancel); see `shopwatch jobs status {args.job_id}`")


def cmd_jobs_list(args: argparse.Namespace) -> int:
    from crawler.config import BackendError, open_store
    from crawler.report import print_jobs

    jobs: dict[str, dict[str, Any]] = {}
    try:
        with open_store(None, data_dir(args), existing=True) as store:
            for job in store.list_jobs(limit=args.limit):
                jobs[str(job["id"])] = dict(job)
    except BackendError:
        if not os.environ.get("REDIS_URL"):
            raise
    for job in _cluster_jobs(args.limit):
        jobs[job["id"]] = {**jobs.get(job["id"], {}), **job}
    ordered = sorted(jobs.values(), key=lambda j: str(j.get("started_at") or ""), reverse=True)[: args.limit]
    if args.json:
        for job in ordered:
            print(json.dumps(job, ensure_ascii=False, default=str))
    else:
        print_jobs(ordered)
    return 0


def _cluster_jobs(limit: int) -> list[dict[str, Any]]:
    """Cluster jobs as job records (same fields as the store's), when REDIS_URL is set."""
    settings = _settings()
    if not (os.environ.get("REDIS_URL") or settings.get("REDIS_URL")):
        return []
    from crawler.cluster.progress import snapshot
    from crawler.cluster.registry import list_jobs

    server, keys = _redis(settings)
    out = []
    for meta in list_jobs(server, keys, limit):
        snap = snapshot(server, keys, meta["id"])
        out.append({"id": snap["id"], "spider": snap["spider"], "profile": snap["profile"], "state": snap["state"],
                    "started_at": snap["created_at"], "finished_at": snap["finished_at"],
                    "counts": {k: snap[k] for k in ("pages", "items", "queued", "in_flight", "done", "failed")},
                    "errors": snap["errors_by_reason"], "cluster": True})
    return out


def cmd_worker(args: argparse.Namespace) -> int:
    from crawler.cluster.worker import run_worker

    jobs = {j.strip() for j in args.jobs.split(",") if j.strip()} if args.jobs else None
    overrides: dict[str, Any] = {"SHOPWATCH_PROGRESS": True, "SHOPWATCH_DATA_DIR": str(data_dir(args)),
                                 "LOG_LEVEL": log_level(args), **dict(args.settings)}
    return run_worker(overrides, jobs, args.concurrency, args.exit_when_idle)
