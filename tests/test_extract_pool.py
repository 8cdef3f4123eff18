"""Extraction in worker processes: the same item as in-process, a dead worker costs no page,
and workers do not outlive a killed crawl."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from prakata_crawler.extract import extract
from prakata_crawler.extract_pool import ExtractPool, extract_checked, worker_count
from prakata_crawler.items import validation_errors

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CASE = json.loads((FIXTURES / "goldens" / next(
    p.name for p in sorted((FIXTURES / "goldens").glob("site-*.json")))).read_text())
BODY = (FIXTURES / CASE["file"]).read_bytes()


def test_a_worker_gives_the_item_the_crawl_would():
    pool = ExtractPool(1)
    pool.start()
    try:
        got, errors = asyncio.run(pool.extract(BODY, CASE["url"], channel_hosts=frozenset()))
    finally:
        pool.close()
    assert errors == []  # checked against the schema in the worker
    want = extract(BODY, CASE["url"])
    assert {k: v for k, v in got.items() if k != "crawled_at"} == \
        {k: v for k, v in want.items() if k != "crawled_at"}
    assert got["type"] == "article"


def test_a_schema_violation_is_reported_with_the_item(monkeypatch):
    from prakata_crawler import extract_pool

    item, errors = extract_checked(BODY, CASE["url"])
    assert item["type"] == "article" and errors == []
    broken = {**item, "word_count": "many"}  # what a bug in extraction could make
    monkeypatch.setattr(extract_pool, "extract", lambda body, url, **kwargs: broken)
    item, errors = extract_checked(BODY, CASE["url"])
    assert errors == validation_errors(broken) and errors


def test_a_dead_worker_loses_no_page():
    pool = ExtractPool(1)
    pool.start()
    try:
        asyncio.run(pool.extract(BODY, CASE["url"]))  # the worker is up
        for process in list(pool.pool._processes.values()):
            os.kill(process.pid, signal.SIGKILL)
            process.join(5)
        item, _ = asyncio.run(pool.extract(BODY, CASE["url"]))
        assert item["type"] == "article"
        again, _ = asyncio.run(pool.extract(BODY, CASE["url"]))  # and the pool works again
        assert again["headline"] == item["headline"]
    finally:
        pool.close()


def test_workers_exit_with_a_killed_crawl():
    script = ("from prakata_crawler.extract_pool import ExtractPool; import time; "
              "p = ExtractPool(2); p.start(); time.sleep(3); "
              "print(' '.join(str(x.pid) for x in p.pool._processes.values()), flush=True); "
              "time.sleep(60)")
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    workers = [int(pid) for pid in parent.stdout.readline().split()]
    assert len(workers) == 2
    parent.kill()  # SIGKILL: nobody shuts the pool down
    parent.wait()
    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [pid for pid in workers if _alive(pid)]
    assert not alive


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().split()[2] != "Z"  # a zombie is gone


def test_worker_count():
    assert worker_count(0) == 0 and worker_count(3) == 3
    assert 0 <= worker_count(-1) <= max(0, (os.cpu_count() or 1) - 1)
