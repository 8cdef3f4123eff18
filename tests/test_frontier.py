"""The frontier keeps at most PRAKATA_FRONTIER_MEMORY pending requests in memory; the rest
wait in Scrapy's disk queues and come back in priority order, and nothing is lost."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import scrapy
from conftest import run_crawl
from scrapy.utils.test import get_crawler

from prakata_crawler.frontier import Frontier


class _Spider(scrapy.Spider):
    name = "frontier-test"

    def parse(self, response):  # a spider method: requests to it can be pickled
        pass


def _frontier(tmp_path, window: int,
              queue: str = "scrapy.pqueues.DownloaderAwarePriorityQueue") -> Frontier:
    crawler = get_crawler(_Spider, {"PRAKATA_OUT": str(tmp_path), "PRAKATA_RUN_ID": "run-1",
                                    "PRAKATA_FRONTIER_MEMORY": window,
                                    "SCHEDULER_PRIORITY_QUEUE": queue})
    crawler.spider = crawler._create_spider()
    # the downloader's slots, which DownloaderAwarePriorityQueue balances (none busy)
    crawler.engine = SimpleNamespace(downloader=SimpleNamespace(
        slots={}, get_slot_key=lambda request: urlsplit(request.url).netloc))
    frontier = Frontier.from_crawler(crawler)
    frontier.open(crawler.spider)
    return frontier


@pytest.mark.parametrize("queue", ["scrapy.pqueues.DownloaderAwarePriorityQueue",
                                   "scrapy.pqueues.ScrapyPriorityQueue"])
def test_beyond_the_window_requests_wait_on_disk_and_come_back_by_priority(tmp_path, queue):
    frontier = _frontier(tmp_path, window=3, queue=queue)
    spider = frontier.spider
    priorities = [0, -5, 10, 0, -10, 20, 5, -5, 0, 30]
    for n, priority in enumerate(priorities):
        assert frontier.enqueue_request(scrapy.Request(f"http://127.0.0.1/{n}", spider.parse,
                                                       priority=priority))
    assert len(frontier.mqs) == 3 and len(frontier.dqs) == 7
    assert frontier.stats.get_value("scheduler/enqueued/disk") == 7
    queue_files = [p for p in (tmp_path / "frontier" / "run-1" / "requests.queue").rglob("*")
                   if p.is_file()]
    assert len(queue_files) == len(set(priorities[3:]))  # a file per priority on disk
    # a duplicate is filtered before it is stored anywhere
    assert not frontier.enqueue_request(scrapy.Request("http://127.0.0.1/4", spider.parse))
    popped = []
    while (request := frontier.next_request()) is not None:
        assert request.callback == spider.parse  # unpickled back to the spider's method
        popped.append(request)
    assert [r.priority for r in popped] == sorted(priorities, reverse=True)
    assert sorted(r.url for r in popped) == sorted(f"http://127.0.0.1/{n}"
                                                   for n in range(len(priorities)))
    frontier.close("finished")
    assert not (tmp_path / "frontier" / "run-1").exists()  # scratch space, gone


def test_unpicklable_request_stays_in_memory(tmp_path):
    frontier = _frontier(tmp_path, window=1)
    frontier.enqueue_request(scrapy.Request("http://127.0.0.1/a", frontier.spider.parse))
    frontier.enqueue_request(scrapy.Request("http://127.0.0.1/b", lambda r: None))
    assert len(frontier.mqs) == 2 and len(frontier.dqs) == 0
    assert {frontier.next_request().url, frontier.next_request().url} == {
        "http://127.0.0.1/a", "http://127.0.0.1/b"}
    frontier.close("finished")


def test_a_killed_runs_frontier_is_removed_by_the_next_run(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    abandoned = tmp_path / "frontier" / "run-0"
    (abandoned / "requests.queue").mkdir(parents=True)
    (abandoned / "pid").write_text(str(dead.pid))
    alive = tmp_path / "frontier" / "run-other"  # a crawl still running into the same out
    alive.mkdir()
    (alive / "pid").write_text(str(os.getpid()))
    frontier = _frontier(tmp_path, window=1)
    assert not abandoned.exists() and alive.exists()
    frontier.close("finished")


def test_crawl_with_a_window_of_one_loses_nothing(mirror, mirror_crawl, tmp_path):
    crawl = run_crawl(mirror, tmp_path / "out", "-s", "PRAKATA_FRONTIER_MEMORY=1")
    assert crawl.proc.returncode == 0, crawl.proc.stderr[-2000:]
    disk = re.search(r"'scheduler/enqueued/disk': (\d+)", crawl.proc.stderr)
    assert disk and int(disk.group(1)) > 10, "requests beyond the window went to disk"
    assert sorted(i["url"] for i in crawl.items) == sorted(i["url"] for i in mirror_crawl.items)
    assert crawl.report["pages"] == mirror_crawl.report["pages"]
    assert not any((tmp_path / "out" / "frontier").iterdir())
