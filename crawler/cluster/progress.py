"""Job progress for operators: one snapshot dict (the JSON the console will read) and its
rendering in the terminal. Numbers come from Redis only, so any machine can watch any job."""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from typing import Any

from crawler.cluster.keys import Keys
from crawler.cluster.registry import decode, get_meta
from crawler.store.base import iso_utc

DEAD_SHOWN = 10  # dead letters included in a snapshot


def _ms_iso(ms: str | int | None) -> str | None:
    if not ms:
        return None
    return iso_utc(datetime.fromtimestamp(int(float(ms)) / 1000, timezone.utc))


def _ints(mapping: dict[str, str]) -> dict[str, int]:
    return {k: int(float(v)) for k, v in mapping.items()}


def snapshot(server: Any, keys: Keys, job_id: str, worker_ttl: float = 10.0) -> dict[str, Any]:
    """Everything `jobs status` shows, as plain JSON-able values."""
    meta = get_meta(server, keys, job_id)
    pipe = server.pipeline(transaction=False)
    pipe.hgetall(keys.job(job_id, "stats"))
    pipe.hgetall(keys.job(job_id, "errors"))
    pipe.hgetall(keys.job(job_id, "failed"))
    pipe.lrange(keys.job(job_id, "dead"), 0, DEAD_SHOWN - 1)
    pipe.zcard(keys.job(job_id, "leases"))
    pipe.hgetall(keys.job(job_id, "job_workers"))
    pipe.time()
    stats, errors, failed, dead, leased, workers, now = pipe.execute()
    stats, errors, failed = _ints(decode(stats)), _ints(decode(errors)), _ints(decode(failed))
    now_s = now[0] + now[1] / 1e6
    running = meta.get("state") in ("running", "seeding")
    served = []
    for wid, raw in sorted(decode(workers).items()):
        info = json.loads(raw)
        served.append({"worker": wid, **info, "alive": running and now_s - info.get("beat", 0) <= worker_ttl})
    alive = [w for w in served if w["alive"]]
    return {
        "id": job_id, "name": meta.get("name") or None, "spider": meta.get("spider"),
        "profile": meta.get("profile") or None, "state": meta.get("state"), "reason": meta.get("reason") or None,
        "created_at": _ms_iso(meta.get("created_at")), "finished_at": _ms_iso(meta.get("finished_at")),
        "queued": max(0, stats.get("queued", 0)) if running else 0, "in_flight": leased,
        "done": stats.get("done", 0), "failed": stats.get("failed", 0), "failed_by_reason": failed,
        "dead_letters": [json.loads(d) for d in dead],
        "redelivered": stats.get("redelivered", 0), "duplicates_filtered": stats.get("filtered", 0),
        "pages": stats.get("pages", 0), "items": stats.get("items", 0), "retries": stats.get("retries", 0),
        "retry_after": stats.get("retry_after", 0),
        "errors": sum(errors.values()), "errors_by_reason": errors,
        "rate": round(sum(w.get("rate", 0.0) for w in alive), 1),
        "workers_alive": len(alive), "workers": served,
        "limits": {"rate": float(meta.get("rate") or 0), "concurrency": int(float(meta.get("concurrency") or 0)),
                   "max_pages": int(float(meta.get("max_pages") or 0))},
        "dedupe": {"urls": stats.get("dedupe_urls"), "bytes": (stats["dedupe_bits"] + 7) // 8
                   if "dedupe_bits" in stats else None},
    }


def status_line(snap: dict[str, Any]) -> str:
    """One line, refreshed by `jobs status --watch`."""
    return (f"{snap['id']} {snap['state']} | queued {snap['queued']} | in flight {snap['in_flight']} | "
            f"done {snap['done']} | failed {snap['failed']} | pages {snap['pages']} | items {snap['items']} | "
            f"errors {snap['errors']} | {snap['rate']:.0f} pages/s | workers {snap['workers_alive']}")


def print_status(snap: dict[str, Any]) -> None:
    from rich.table import Table

    from crawler.report import console

    table = Table(title=f"job {snap['id']}", show_header=False)
    rows = [
        ("spider / profile", snap["profile"] or snap["spider"]),
        ("state", snap["state"] + (f" ({snap['reason']})" if snap["reason"] and snap["reason"] != snap["state"] else "")),
        ("created / finished", f"{snap['created_at']} / {snap['finished_at'] or '-'}"),
        ("queued / in flight", f"{snap['queued']} / {snap['in_flight']}"),
        ("done / failed", f"{snap['done']} / {snap['failed']}"),
        ("failed by reason", ", ".join(f"{k}={v}" for k, v in sorted(snap["failed_by_reason"].items())) or "-"),
        ("pages / items", f"{snap['pages']} / {snap['items']}"),
        ("errors by reason", ", ".join(f"{k}={v}" for k, v in sorted(snap["errors_by_reason"].items())) or "-"),
        ("redelivered / duplicates filtered", f"{snap['redelivered']} / {snap['duplicates_filtered']}"),
        ("rate / workers alive", f"{snap['rate']:.1f} pages/s / {snap['workers_alive']}"),
        ("limits per domain", f"{snap['limits']['rate'] or 'no'} req/s, {snap['limits']['concurrency'] or 'no'} "
                              f"concurrent, max pages {snap['limits']['max_pages'] or '-'}"),
    ]
    for key, value in rows:
        table.add_row(key, str(value))
    console.print(table)
    if snap["dead_letters"]:
        console.print("dead letters (newest first):")
        for d in snap["dead_letters"]:
            console.print(f"  {d.get('reason')} after {d.get('deliveries')} deliveries: {d.get('url')}")


def watch(server: Any, keys: Keys, job_id: str, interval: float, worker_ttl: float, out: Any) -> dict[str, Any]:
    """Print a status line every ``interval`` seconds until the job is no longer running."""
    while True:
        snap = snapshot(server, keys, job_id, worker_ttl)
        out.write(status_line(snap) + "\n")
        out.flush()
        if snap["state"] not in ("running", "seeding"):
            return snap
        time.sleep(interval)
