"""A caching front for the simulator, so a benchmark's CPU goes to the crawlers it measures.

Why: on this 2-core machine the simulator renders every page in Python (about 0.6 ms of CPU per
page, an eighth of what a worker spends on it), while the shops a real crawl visits cost the
crawler's machine nothing. The front answers from memory with the simulator's own bytes:
the first request for a (Host, path) is forwarded to the simulator and its 200 response kept; the
next ones for it cost ~20 µs. Any other status is forwarded every time and never kept.

It speaks just enough HTTP/1.1 for Scrapy's client: GET/HEAD without a body, keep-alive,
Content-Length. Loopback only; every size is bounded (request head 16 KiB, kept bytes ``max_bytes``).

    with start_front(sim.port) as front:   # a child process; front.port to crawl
        ...
"""
from __future__ import annotations

import asyncio
import multiprocessing
import signal
from typing import Any

MAX_HEAD = 16 * 1024
DROPPED_HEADERS = {b"connection", b"keep-alive", b"transfer-encoding", b"content-length", b"date", b"server"}


class Cache:
    """Kept responses (complete HTTP/1.1 messages) by (Host, target), bounded in bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.responses: dict[bytes, bytes] = {}
        self.size = 0
        self.max_bytes = max_bytes
        # upstream fetches in flight: the loop keeps only weak references to tasks, so one
        # could be collected mid-fetch and its client would wait for an answer that never comes
        self.fetches: set[asyncio.Task[None]] = set()

    def keep(self, key: bytes, message: bytes) -> None:
        if self.size + len(message) <= self.max_bytes:
            self.responses[key] = message
            self.size += len(message)


def rebuild(raw: bytes) -> tuple[int, bytes]:
    """(status, a keep-alive message with the same status line, headers and body) from a
    ``Connection: close`` response read to its end."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    headers = [line for line in lines[1:] if line.split(b":", 1)[0].strip().lower() not in DROPPED_HEADERS]
    if b"chunked" in head.lower():
        raise ValueError("chunked responses are not kept")
    out = b"\r\n".join([lines[0], *headers, b"Content-Length: %d" % len(body), b"", b""]) + body
    return status, out


class FrontProtocol(asyncio.Protocol):
    def __init__(self, cache: Cache, upstream: int) -> None:
        self.cache, self.upstream = cache, upstream
        self.buffer = b""
        self.transport: Any = None
        self.busy = False

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > MAX_HEAD and b"\r\n\r\n" not in self.buffer:
            self.transport.close()
            return
        self._serve()

    def _serve(self) -> None:
        while not self.busy:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head, self.buffer = self.buffer[:end], self.buffer[end + 4:]
            lines = head.split(b"\r\n")
            try:
                method, target, _ = lines[0].split(b" ", 2)
            except ValueError:
                self.transport.close()
                return
            host = next((line.split(b":", 1)[1].strip().lower() for line in lines[1:]
                         if line[:5].lower() == b"host:"), b"")
            key = method + b" " + host + target
            kept = self.cache.responses.get(key)
            if kept is not None:
                self.transport.write(kept)
                continue
            self.busy = True  # one upstream fetch at a time per connection: answers stay in order
            task = asyncio.ensure_future(self._forward(key, lines))
            self.cache.fetches.add(task)
            task.add_done_callback(self.cache.fetches.discard)

    async def _forward(self, key: bytes, lines: list[bytes]) -> None:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.upstream)
            rest = [line for line in lines[1:] if line.split(b":", 1)[0].strip().lower() != b"connection"]
            writer.write(b"\r\n".join([lines[0], *rest, b"Connection: close", b"", b""]))
            raw = await reader.read()
            writer.close()
            status, message = rebuild(raw)
        except (OSError, ValueError, IndexError):
            self.transport.close()
            return
        if status == 200 and key.startswith(b"GET "):
            self.cache.keep(key, message)
        if not self.transport.is_closing():
            self.transport.write(message)
        self.busy = False
        self._serve()


def _main(upstream: int, max_bytes: int, conn: Any) -> None:
    from mallsim.server import _loop_factory  # the simulator's loop choice (uvloop when installed)

    async def serve() -> None:
        cache = Cache(max_bytes)
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: FrontProtocol(cache, upstream), "127.0.0.1", 0, backlog=1024)
        conn.send(server.sockets[0].getsockname()[1])
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        server.close()
        for task in list(cache.fetches):
            task.cancel()
        await asyncio.gather(*cache.fetches, return_exceptions=True)

    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        runner.run(serve())


class Front:
    def __init__(self, process: Any, port: int) -> None:
        self.process, self.port, self.pid = process, port, process.pid

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(10)

    def __enter__(self) -> "Front":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_front(upstream: int, max_bytes: int = 512 * 1024 * 1024) -> Front:
    """The front in a spawned child process, in front of the simulator on ``upstream``."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_main, args=(upstream, max_bytes, child), name="mallsim-front", daemon=True)
    process.start()
    if not parent.poll(30):
        process.kill()
        raise RuntimeError("the caching front did not start")
    return Front(process, parent.recv())


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far."""
    import psutil

    times = psutil.Process(pid).cpu_times()
    return times.user + times.system
