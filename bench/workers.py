"""bench/workers: pages/s of one vs two `shopwatch worker` processes on the same job shape,
side by side in one run, plus CPU-seconds per page (workers, and Redis) — the number that other
load on this shared 2-core machine cannot distort.

    .venv/bin/python bench/workers.py [--merchants 300] [--rounds 3] [--pipelines on|off] [--direct]

Each round also runs the same crawl as one `shopwatch crawl` process (no Redis): the baseline
that says what the cluster machinery costs one worker. Each round submits the same weishop crawl (simulator faults off) twice — once for 1 worker, once
for 2 — against a private redis-server and a simulator in its own process, each run into a fresh
store. Pages/s is measured from the first to the last page fetched (the job's page records), so
process start-up is not counted. Target (issue 6): 2 workers >= 1.8x one worker. On 2 cores the
simulator, Redis and the store share the same cores as the workers, so the ceiling is below 2x
even with perfect scaling; CPU per page says whether the cluster itself costs extra work.

The workers crawl through ``bench/front.py``, a caching front that answers from memory with the
simulator's own bytes after the warm-up round (~0.05 ms CPU per page instead of the simulator's
~0.6 ms of rendering): the shops of a real crawl cost the crawler's machine nothing, and on 2
cores every millisecond the simulator takes is taken from a worker. ``--direct`` crawls the
simulator itself. The front's and the simulator's CPU per page are printed, and the share of the
machine that sat idle (or was taken by the host: steal) while pages were being fetched: idle
time in a 2-worker run is parallelism the workers left unused (waits), not CPU they lacked.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.dedupe import private_redis  # noqa: E402  (one way to start a throwaway Redis)
from bench.front import cpu_seconds, start_front  # noqa: E402


def machine_ticks() -> tuple[int, int, int]:
    """(busy, idle, steal) clock ticks of the whole machine so far (/proc/stat): steal is time the
    hypervisor gave this VM's cores to someone else -- a 2-worker run that sees steal had less
    than 2 cores, whatever the workers do."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return user + nice + system + irq + softirq, idle + iowait, steal


class TickSampler:
    """``machine_ticks()`` every ``step`` seconds on a thread: the machine's idle and steal share
    in any window afterwards (a run's first to last page: worker start-up and exit excluded)."""

    def __init__(self, step: float = 0.2) -> None:
        import threading

        self.samples: list[tuple[float, tuple[int, int, int]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(step,), daemon=True)
        self._thread.start()

    def _run(self, step: float) -> None:
        while not self._stop.is_set():
            self.samples.append((time.time(), machine_ticks()))
            self._stop.wait(step)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()

    def shares(self, start: float, end: float) -> tuple[float, float]:
        """(idle, steal) share of the machine's time between ``start`` and ``end`` (wall clock)."""
        inside = [ticks for t, ticks in self.samples if start <= t <= end]
        if len(inside) < 2:
            return float("nan"), float("nan")
        busy, idle, steal = (b - a for a, b in zip(inside[0], inside[-1]))
        total = max(1, busy + idle + steal)
        return idle / total, steal / total


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _env(redis_url: str, tag: str) -> dict[str, str]:
    env = {**os.environ, "REDIS_URL": redis_url, "SHOPWATCH_CLUSTER_PREFIX": f"bench-{tag}", "PYTHONPATH": str(ROOT)}
    env.pop("SHOPWATCH_STORE", None)
    return env


def startup_cpu(redis_url: str) -> float:
    """CPU-seconds of a worker that starts, finds no job and exits: subtracted per worker, so
    CPU per page is the crawl's own (Python and Scrapy imports cost ~2 CPU-s per process)."""
    before = _children_cpu()
    subprocess.run([sys.executable, "-m", "crawler.cli", "--data-dir", tempfile.mkdtemp(), "worker", "--exit-when-idle"],
                   cwd=ROOT, env=_env(redis_url, "startup"), check=True, capture_output=True)
    return _children_cpu() - before


def page_times(data_dir: Path, job: str | None) -> list[float]:
    """When each page was fetched (sorted), from the store's page records."""
    from crawler.config import open_store

    with open_store(None, data_dir, existing=True) as store:
        return sorted(datetime.fromisoformat(p["fetched_at"].replace("Z", "+00:00")).timestamp()
                      for p in store.iter_pages(job_id=job))


TIMELINE_STEP = 0.5


def timeline(times: list[float]) -> list[int]:
    """Pages fetched per TIMELINE_STEP seconds from the first one (``--timeline``: where a run
    loses time -- the start, a stall, the tail)."""
    counts = [0] * (int((times[-1] - times[0]) / TIMELINE_STEP) + 1)
    for t in times:
        counts[int((t - times[0]) / TIMELINE_STEP)] += 1
    return counts


def single_process(port: int, startup: float) -> dict[str, float]:
    """`shopwatch crawl` (no Redis): the baseline one worker is compared with."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-workers-crawl-"))
    before = _children_cpu()
    subprocess.run([sys.executable, "-m", "crawler.cli", "--data-dir", str(tmp), "crawl", "weishop", "--port", str(port)],
                   cwd=ROOT, check=True, capture_output=True)
    cpu = _children_cpu() - before - startup
    from crawler.config import open_store

    with open_store(None, tmp, existing=True) as store:
        pages = store.count_pages()
    times = page_times(tmp, None)
    return {"pages": pages, "pages_s": pages / (times[-1] - times[0]), "cpu_ms_page": cpu / pages * 1000,
            "redis_ms_page": 0.0, "window": (times[0], times[-1])}


def one_run(workers: int, port: int, redis_url: str, pipelines: bool, tag: str, startup: float,
            show_timeline: bool = False, settings: tuple[str, ...] = ()) -> dict[str, float]:
    import redis

    tmp = Path(tempfile.mkdtemp(prefix=f"bench-workers-{tag}-"))
    env = _env(redis_url, tag)
    base = [sys.executable, "-m", "crawler.cli", "--data-dir", str(tmp)]
    out = subprocess.run([*base, "jobs", "submit", "weishop", "--port", str(port), "--json"], cwd=ROOT, env=env,
                         check=True, capture_output=True, text=True)
    job = json.loads(out.stdout)["id"]
    extra = [] if pipelines else ["-s", "ITEM_PIPELINES={}"]
    for setting in settings:
        extra += ["-s", setting]
    server = redis.Redis.from_url(redis_url)
    cpu_info = server.info("cpu")
    redis_before = float(cpu_info["used_cpu_user"]) + float(cpu_info["used_cpu_sys"])
    cpu_before = _children_cpu()
    procs = [subprocess.Popen([*base, "worker", "--exit-when-idle", *extra], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(workers)]
    for p in procs:
        p.wait()
    cpu = _children_cpu() - cpu_before - workers * startup
    cpu_info = server.info("cpu")
    redis_cpu = float(cpu_info["used_cpu_user"]) + float(cpu_info["used_cpu_sys"]) - redis_before
    snap = json.loads(subprocess.run([*base, "jobs", "status", job, "--json"], cwd=ROOT, env=env, check=True,
                                     capture_output=True, text=True).stdout)
    if pipelines:
        times = page_times(tmp, job)
        seconds = times[-1] - times[0]
        if show_timeline:
            print(f"  timeline, {workers} worker(s), pages per {TIMELINE_STEP} s: {timeline(times)}", flush=True)
    else:
        created = datetime.fromisoformat(snap["created_at"].replace("Z", "+00:00")).timestamp()
        finished = datetime.fromisoformat(snap["finished_at"].replace("Z", "+00:00")).timestamp()
        seconds = finished - created  # no page records without the store: includes start-up
        times = [created, finished]
    pages = snap["pages"]
    return {"pages": pages, "pages_s": pages / seconds, "cpu_ms_page": cpu / pages * 1000,
            "redis_ms_page": redis_cpu / pages * 1000, "done": snap["done"], "failed": snap["failed"],
            "window": (times[0], times[-1])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--merchants", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pipelines", choices=["on", "off"], default="on")
    parser.add_argument("--direct", action="store_true", help="crawl the simulator itself, not the caching front")
    parser.add_argument("--timeline", action="store_true", help="print pages per 0.5 s of every worker run")
    parser.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for the workers (e.g. SHOPWATCH_CLUSTER_PREFETCH=16); repeatable")
    args = parser.parse_args()
    from mallsim.config import SimConfig
    from mallsim.server import start_background

    redis_url, redis_proc = private_redis()
    sampler = TickSampler()
    results: dict[int, list[dict[str, float]]] = {0: [], 1: [], 2: []}  # 0 = `shopwatch crawl`
    try:
        with start_background(SimConfig(seed=7, merchants=args.merchants, faults_enabled=False, port=0)) as sim, \
                start_front(sim.port) as front:
            port, server_pids = (sim.port, [sim.pid]) if args.direct else (front.port, [front.pid, sim.pid])
            startup = startup_cpu(redis_url)
            one_run(1, port, redis_url, args.pipelines == "on", "warmup", startup)  # fills the front (and caches)
            for r in range(args.rounds):
                for n in (0, 1, 2) if r % 2 == 0 else (2, 1, 0):
                    served = [cpu_seconds(pid) for pid in server_pids]
                    if n == 0:
                        if args.pipelines == "off":
                            continue
                        res = single_process(port, startup)
                    else:
                        res = one_run(n, port, redis_url, args.pipelines == "on", f"r{r}w{n}", startup, args.timeline,
                                      tuple(args.settings))
                    res["server_ms_page"] = sum(cpu_seconds(pid) - c for pid, c in zip(server_pids, served)) / res["pages"] * 1000
                    res["idle"], res["steal"] = sampler.shares(*res.pop("window"))
                    results[n].append(res)
                    label = "shopwatch crawl" if n == 0 else f"{n} worker(s)"
                    print(f"round {r + 1}: {label}: {res['pages']:.0f} pages, {res['pages_s']:.0f} pages/s, "
                          f"{res['cpu_ms_page']:.2f} worker CPU ms/page, {res['redis_ms_page']:.3f} Redis CPU ms/page, "
                          f"{res['server_ms_page']:.3f} {'simulator' if args.direct else 'front+simulator'} CPU ms/page; "
                          f"while fetching: machine idle {res['idle']:.0%}, stolen by the host {res['steal']:.0%}", flush=True)
    finally:
        sampler.close()
        redis_proc.terminate()
        redis_proc.wait(10)
    med = {n: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for n, rs in results.items() if rs}
    print(f"\nweishop, {args.merchants} merchants, pipelines {args.pipelines}, "
          f"{'simulator direct' if args.direct else 'through the caching front'}, median of {args.rounds} rounds "
          f"(load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    for n in sorted(med):
        m = med[n]
        print(f"  {'shopwatch crawl (no Redis)' if n == 0 else f'{n} worker(s)'}: {m['pages_s']:.0f} pages/s, worker CPU {m['cpu_ms_page']:.2f} ms/page, "
              f"Redis CPU {m['redis_ms_page']:.3f} ms/page, pages served {m['server_ms_page']:.3f} CPU ms/page, "
              f"machine idle {m['idle']:.0%}, stolen {m['steal']:.0%}")
    print(f"  speed-up 2 vs 1: {med[2]['pages_s'] / med[1]['pages_s']:.2f}x (target >= 1.8x); "
          f"CPU per page 2 vs 1: {med[2]['cpu_ms_page'] / med[1]['cpu_ms_page']:.2f}x")
    # each round runs 1 and 2 workers back to back: their ratio is the one a slow spell of a shared
    # machine distorts least
    paired = [two['pages_s'] / one['pages_s'] for one, two in zip(results[1], results[2])]
    print(f"  per round: {', '.join(f'{x:.2f}' for x in paired)}x (median {statistics.median(paired):.2f}x)")


if __name__ == "__main__":
    main()
