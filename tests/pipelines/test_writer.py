"""crawler.writer: the writer thread keeps order, bounds what waits, and never swallows a failure."""
from __future__ import annotations

import threading

import pytest

from crawler.writer import BackgroundWriter, writer_for


def test_jobs_run_in_order_on_one_thread_and_report_back() -> None:
    writer = BackgroundWriter("test-writer", max_pending=3)
    ran: list[tuple[int, str]] = []
    done: list[int] = []
    for i in range(20):
        writer.submit(lambda i=i: ran.append((i, threading.current_thread().name)) or i, on_done=done.append)
    writer.drain()
    assert [i for i, _ in ran] == list(range(20)) and done == list(range(20))
    assert len({name for _, name in ran}) == 1 and ran[0][1] != threading.current_thread().name


def test_submit_blocks_when_the_bound_is_reached() -> None:
    writer = BackgroundWriter("test-writer", max_pending=2)
    gate = threading.Event()
    writer.submit(gate.wait)
    writer.submit(lambda: None)
    assert writer.pending == 2
    releaser = threading.Timer(0.2, gate.set)
    releaser.start()
    writer.submit(lambda: None)  # waits for the first job: never more than 2 queued
    assert gate.is_set() and writer.pending <= 2
    writer.drain()


def test_a_failed_write_is_raised_on_the_callers_thread_and_later_jobs_still_run() -> None:
    writer = BackgroundWriter("test-writer")
    after: list[str] = []
    gate = threading.Event()

    def fail() -> None:
        gate.wait()
        raise RuntimeError("index unreachable")

    writer.submit(fail)
    writer.submit(lambda: after.append("ran"))
    gate.set()
    with pytest.raises(RuntimeError, match="index unreachable"):
        writer.drain()
    assert after == ["ran"] and writer.pending == 0
    writer.submit(fail)
    with pytest.raises(RuntimeError, match="index unreachable"):
        writer.submit(lambda: None)  # or at the next submit, once it has failed
        writer.drain()


def test_one_writer_per_handle() -> None:
    class Handle:
        pass

    a, b = Handle(), Handle()
    assert writer_for(a, "w") is writer_for(a, "w")
    assert writer_for(a, "w") is not writer_for(b, "w")
