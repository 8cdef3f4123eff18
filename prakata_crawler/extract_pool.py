"""Extraction in worker processes, beside the crawl.

A crawl is one Python process: Scrapy, the WARC capture and the pipelines share one core,
and extraction is most of its CPU. Handing pages to worker processes lets a machine's
other cores extract while the crawl goes on fetching (pages, and their requisites) and
writing. ``extract()`` is a pure function of picklable arguments, so a worker gives the
same item as the crawl's own process would. A worker that dies (killed, out of memory)
costs nothing: that page is extracted in-process and the pool is started again.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from .extract import extract
from .items import validation_errors

logger = logging.getLogger(__name__)
MAX_AUTO_WORKERS = 4


def worker_count(setting: int) -> int:
    """``PRAKATA_EXTRACT_WORKERS``: a number, or -1 for one per core but the crawl's own
    (at most 4)."""
    if setting >= 0:
        return setting
    return max(0, min(MAX_AUTO_WORKERS, (os.cpu_count() or 1) - 1))


def _ready() -> bool:
    return True


def extract_checked(body: bytes, url: str, **kwargs) -> tuple[dict, list[str]]:
    """``extract()``, and the schema errors of its item: checked where the item is made,
    off the core that fetches (validation is a tenth of what the crawl's process spends
    on a page)."""
    item = extract(body, url, **kwargs)
    return item, [] if item["type"] == "rejected" else validation_errors(item)


def _watch_parent(parent: int) -> None:
    """In a worker: exit when the crawl's process is gone (a SIGKILL leaves no one to shut
    the pool down, and the worker would wait for pages forever)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


class ExtractPool:
    """``await pool.extract(body, url, **kwargs)``: :func:`extract_checked` in a worker, or
    in this process when there are none."""

    def __init__(self, workers: int):
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        if self.workers <= 0:
            return
        # spawn, not fork: the crawl's process holds a running reactor, threads and sockets
        context = multiprocessing.get_context("spawn")
        self.pool = ProcessPoolExecutor(self.workers, mp_context=context,
                                        initializer=_watch_parent, initargs=(os.getpid(),))
        for _ in range(self.workers):  # start them (and their imports) before the pages come
            self.pool.submit(_ready)

    async def extract(self, body: bytes, url: str, **kwargs) -> tuple[dict, list[str]]:
        if self.pool is None:
            return extract_checked(body, url, **kwargs)
        try:
            return await asyncio.wrap_future(self.pool.submit(extract_checked, body, url,
                                                              **kwargs))
        except BrokenProcessPool:
            logger.warning("an extraction worker died (on %s or a page beside it): "
                           "extracting it here and starting the workers again", url)
            self.close(wait=False)
            self.start()
            return extract_checked(body, url, **kwargs)

    def close(self, wait: bool = True) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=wait, cancel_futures=True)
            self.pool = None
