"""The frontier: Scrapy's scheduler with a bounded memory.

Scrapy keeps every pending request in memory unless ``JOBDIR`` is set, so a site whose one
flat sitemap lists every article (common for WordPress plugins and small CMSes) puts every
article URL in memory at once (about 1.4 KB each). Here the first
``PRAKATA_FRONTIER_MEMORY`` pending requests wait in memory and the rest in Scrapy's own
disk queues (``SCHEDULER_DISK_QUEUE``), under ``<PRAKATA_OUT>/frontier/<run-id>/``; the run
removes its directory when it closes. What a killed job still had to fetch is in the state
store (its ``pending`` table), which ``--resume`` reads, so the directory is scratch space.
With ``JOBDIR`` set, that directory is used instead and kept, as Scrapy's jobs expect.

Requests are popped in priority order across both queues; at equal priority the ones in
memory go first, as in Scrapy's scheduler.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from scrapy.core.scheduler import Scheduler
from scrapy.http import Request

PID_FILE = "pid"


class Frontier(Scheduler):
    """``SCHEDULER``: pending requests beyond a window in memory wait on disk."""

    @classmethod
    def from_crawler(cls, crawler):
        scheduler = super().from_crawler(crawler)
        settings = crawler.settings
        scheduler.window = max(settings.getint("PRAKATA_FRONTIER_MEMORY"), 1)
        scheduler.scratch = None
        if scheduler.dqdir is None:  # no JOBDIR: disk queues in a directory of the run's own
            scheduler.scratch = (Path(settings["PRAKATA_OUT"]) / "frontier"
                                 / settings["PRAKATA_RUN_ID"])
            _remove_abandoned(scheduler.scratch.parent)
            scheduler.scratch.mkdir(parents=True, exist_ok=True)
            (scheduler.scratch / PID_FILE).write_text(str(os.getpid()))
            scheduler.dqdir = scheduler._dqdir(str(scheduler.scratch))
        return scheduler

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        # a request that cannot be pickled (a lambda callback) stays in memory
        if len(self.mqs) >= self.window and self._dqpush(request):
            self.stats.inc_value("scheduler/enqueued/disk")
        else:
            self._mqpush(request)
            self.stats.inc_value("scheduler/enqueued/memory")
        self.stats.inc_value("scheduler/enqueued")
        return True

    def next_request(self) -> Request | None:
        disk = _top(self.dqs) if self.dqs is not None else None
        memory = _top(self.mqs)
        if disk is not None and (memory is None or disk < memory):
            request = self._dqpop()
            where = "disk"
        else:
            request = self.mqs.pop()
            where = "memory"
        if request is not None:
            self.stats.inc_value(f"scheduler/dequeued/{where}")
            self.stats.inc_value("scheduler/dequeued")
        return request

    def close(self, reason: str):
        result = super().close(reason)
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
        return result


def _top(queue) -> int | None:
    """The best (lowest) internal priority ``queue`` holds, None when it is empty: a
    ``ScrapyPriorityQueue``, or a ``DownloaderAwarePriorityQueue`` of them (one per slot)."""
    queues = queue.pqueues.values() if hasattr(queue, "pqueues") else (queue,)
    held = [q.curprio for q in queues if q.curprio is not None and len(q)]
    return min(held) if held else None


def _remove_abandoned(root: Path) -> None:
    """Frontier directories of runs that were killed: their process is gone."""
    for path in root.glob("*/" + PID_FILE):
        try:
            pid = int(path.read_text())
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(path.parent, ignore_errors=True)
        except (OSError, ValueError):
            continue
