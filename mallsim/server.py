"""The simulator's web server: one aiohttp app answering every platform by its Host header.

``make_app`` builds the app, ``run`` serves it in the foreground (``shopwatch mallsim serve``),
``start_background`` runs it in a child process (or a thread) and returns a ``SimHandle`` once
the socket accepts connections -- the form tests and benchmarks use.
"""
from __future__ import annotations

import asyncio
import http.client
import multiprocessing
import signal
import threading
from collections.abc import Callable
from typing import Any

from aiohttp import hdrs, web

from mallsim.config import SimConfig
from mallsim.faults import Transient, huge_body
from mallsim.model import ADMIN_HOST, HOST_SUFFIX, PLATFORMS
from mallsim.platforms import admin, miniapp, moments, vshop, weishop
from mallsim.platforms.common import (
    HUGE_PATH, SimState, clean_path, json_error, pixel_response, robots_response,
)
from mallsim.platforms.html import error_page

STATE = web.AppKey("state", SimState)
SITES: dict[str, Any] = {"weishop": weishop, "miniapp": miniapp, "vshop": vshop,
                         "moments": moments}
HOSTS: dict[str, str] = {f"{p}.{HOST_SUFFIX}": p for p in PLATFORMS} | {ADMIN_HOST: "admin"}
#: Paths never hit by transient faults: a crawler must be able to read robots.txt and the
#: documentation, and the SPA's script is a static asset.
_EXEMPT = ("/robots.txt", "/developer", "/static/app.js")


def make_app(config: SimConfig) -> web.Application:
    app = web.Application()
    app[STATE] = SimState(config)
    app.router.add_route("*", r"/{tail:[\s\S]*}", dispatch)  # any path, newlines included
    return app


def _host(request: web.Request) -> str:
    """The Host header without port and trailing dot, lower-cased."""
    raw = request.headers.get(hdrs.HOST, "")
    return raw.rsplit(":", 1)[0].rstrip(".").lower() if not raw.startswith("[") else raw


async def dispatch(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    platform = HOSTS.get(_host(request))
    if platform is None:
        return web.Response(status=421, text="421 Misdirected Request: unknown host\n")
    path = clean_path(request.path)
    if platform == "admin":
        return await admin.handle(state, request, path)
    if request.method not in ("GET", "HEAD"):
        return web.Response(status=405, headers={"Allow": "GET, HEAD"})
    if path == "/robots.txt":
        return robots_response()
    if path.startswith("/img/"):
        return pixel_response()
    if path == HUGE_PATH and state.config.huge_page_bytes:
        return await _huge(request, state.config.huge_page_bytes)
    site = SITES[platform]
    json_endpoint = path.startswith("/api/")
    fault = None if path in _EXEMPT else state.faults.roll(json_endpoint)
    if fault is not None:
        if fault.kind == "error":
            return _error(fault, platform, json_endpoint)
        if fault.delay:
            await asyncio.sleep(fault.delay)  # slow, or a stall cancelled when the client leaves
    response = await site.handle(state, request, path)
    if fault is not None and fault.kind == "truncated" and response.status == 200:
        body = response.body
        response.body = body[: len(body) // 2]
    return response


def _error(fault: Transient, platform: str, json_endpoint: bool) -> web.Response:
    if json_endpoint:
        return json_error(fault.status, "service busy, retry later")
    style = SITES[platform].STYLE
    return web.Response(status=fault.status, content_type="text/html", charset="utf-8",
                        text=error_page(style, fault.status, "服务器繁忙，请稍后再试"))


async def _huge(request: web.Request, size: int) -> web.StreamResponse:
    """The oversized page: announced Content-Length, generated chunk by chunk."""
    resp = web.StreamResponse(headers={hdrs.CONTENT_TYPE: "text/html; charset=utf-8"})
    resp.content_length = size
    await resp.prepare(request)
    if request.method != "HEAD":
        async for chunk in huge_body(size):
            await resp.write(chunk)
    await resp.write_eof()
    return resp


# --- serving -----------------------------------------------------------------------------------
def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop  # optional: used when installed
    except ImportError:
        return None
    return uvloop.new_event_loop


async def _serve(config: SimConfig, ready: Callable[[int], None], stop: asyncio.Event) -> None:
    app = make_app(config)
    runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, config.host, config.port, backlog=1024, reuse_address=True)
    await site.start()
    port = runner.addresses[0][1]
    app[STATE].port = port
    ready(port)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def run(config: SimConfig, ready: Callable[[int], None] | None = None) -> None:
    """Serve in the foreground until SIGINT/SIGTERM."""
    def announce(port: int) -> None:
        print(f"mallsim serving seed={config.seed} merchants={config.merchants} day={config.day} "
              f"faults={'on' if config.faults_enabled else 'off'} on http://{config.host}:{port} "
              f"(hosts *.{HOST_SUFFIX})", flush=True)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop.set)
            except (NotImplementedError, RuntimeError, ValueError):
                pass
        await _serve(config, ready or announce, stop)

    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        runner.run(main())


def _child_main(config: SimConfig, conn: Any) -> None:
    """Entry point of the server process: report the port (or the error) through ``conn``."""
    try:
        run(config, ready=lambda port: conn.send(("ready", port)))
    except BaseException as exc:  # report start-up failures to the parent
        try:
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
        except (BrokenPipeError, OSError):
            pass
        raise


class SimHandle:
    """A running simulator: its port, URLs, a tiny HTTP helper, and ``stop()``."""

    def __init__(self, config: SimConfig, port: int, stopper: Callable[[], None],
                 pid: int | None) -> None:
        self.config = config
        self.host = config.host
        self.port = port
        self.pid = pid  # the server process (None in thread mode)
        self._stopper: Callable[[], None] | None = stopper

    @property
    def address(self) -> str:
        """Where to connect (the hosts resolve here): ``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    def host_header(self, platform: str) -> str:
        name = ADMIN_HOST if platform == "admin" else f"{platform}.{HOST_SUFFIX}"
        return f"{name}:{self.port}"

    def base_url(self, platform: str) -> str:
        """``http://<platform>.mallsim.test:<port>`` -- the URLs the truth file uses."""
        return f"http://{self.host_header(platform)}"

    def fetch(self, platform: str, path: str, method: str = "GET",
              timeout: float = 30.0) -> tuple[int, dict[str, str], bytes]:
        """One request with the platform's Host header: (status, headers, body)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, headers={"Host": self.host_header(platform)})
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def set_day(self, day: int) -> None:
        status, _, body = self.fetch("admin", f"/day?set={day}", method="POST")
        if status != 200:
            raise RuntimeError(f"POST /day failed: {status} {body!r}")

    def stop(self) -> None:
        if self._stopper is not None:
            stopper, self._stopper = self._stopper, None
            stopper()

    def __enter__(self) -> "SimHandle":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"SimHandle({self.address}, pid={self.pid})"


def start_background(config: SimConfig, mode: str = "process",
                     timeout: float = 60.0) -> SimHandle:
    """Start a server and return once it accepts connections (``config.port=0``: any free port).

    ``mode="process"`` (default) runs it in a spawned child process -- its own GIL and memory,
    as in production; ``mode="thread"`` runs it on an event loop in a daemon thread (cheap to
    start, for tests that need many servers).
    """
    if mode == "thread":
        return _start_thread(config, timeout)
    if mode != "process":
        raise ValueError("mode must be 'process' or 'thread'")
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child_main, args=(config, child), name="mallsim", daemon=True)
    process.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise RuntimeError(f"mallsim did not start within {timeout}s")
        kind, value = parent.recv()
    except (EOFError, RuntimeError) as exc:
        process.kill()
        process.join(5)
        raise RuntimeError(f"mallsim failed to start (exit code {process.exitcode}): {exc}") from None
    finally:
        parent.close()
    if kind != "ready":
        process.join(5)
        raise RuntimeError(f"mallsim failed to start: {value}")

    def stop() -> None:
        if process.is_alive():
            process.terminate()  # SIGTERM: graceful runner cleanup in the child
            process.join(10)
            if process.is_alive():
                process.kill()
                process.join(5)

    return SimHandle(config, int(value), stop, process.pid)


def _start_thread(config: SimConfig, timeout: float) -> SimHandle:
    ready = threading.Event()
    box: dict[str, Any] = {}

    def target() -> None:
        async def main() -> None:
            stop = asyncio.Event()
            box["loop"], box["stop"] = asyncio.get_running_loop(), stop

            def on_ready(port: int) -> None:
                box["port"] = port
                ready.set()

            await _serve(config, on_ready, stop)

        try:
            asyncio.run(main())
        except BaseException as exc:
            box["error"] = exc
            ready.set()

    thread = threading.Thread(target=target, name="mallsim", daemon=True)
    thread.start()
    if not ready.wait(timeout) or "error" in box:
        raise RuntimeError(f"mallsim failed to start: {box.get('error', 'timeout')}")

    def stop() -> None:
        box["loop"].call_soon_threadsafe(box["stop"].set)
        thread.join(10)

    return SimHandle(config, box["port"], stop, None)
