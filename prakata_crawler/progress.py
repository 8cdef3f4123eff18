"""A live progress line for interactive runs; scheduled runs (stderr not a terminal) stay
quiet and rely on the log and the run report."""

from __future__ import annotations

import sys
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task


def progress_line(stats: dict, errors: int, elapsed: float) -> str:
    """``pages 120 | requisites 35 | articles 40 | channels 2 | errors 1 | 12.3 pages/s |
    WARC 4.2 MB``; errors are failed page fetches (robots.txt refusals are policy, not
    errors), requisites the responses to requisite requests."""
    pages = stats.get("prakata/pages", 0)
    return (f"pages {pages} | requisites {stats.get('prakata/requisite_responses', 0)} | "
            f"articles {stats.get('prakata/items/article', 0)} | "
            f"channels {stats.get('prakata/items/whatsapp_channel', 0)} | errors {errors} | "
            f"{pages / max(elapsed, 1e-6):.1f} pages/s | "
            f"WARC {stats.get('prakata/warc/bytes', 0) / 1e6:.1f} MB")


class Progress:
    """Rewrites one status line on the terminal every ``PRAKATA_PROGRESS_INTERVAL`` s."""

    def __init__(self, crawler, stream=sys.stderr):
        interval = crawler.settings.getfloat("PRAKATA_PROGRESS_INTERVAL")
        if not interval or not stream.isatty():
            raise NotConfigured
        self.crawler, self.stream, self.interval = crawler, stream, interval
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.show)

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signals.spider_opened)
        crawler.signals.connect(ext.item_scraped, signals.item_scraped)
        crawler.signals.connect(ext.spider_closed, signals.spider_closed)
        return ext

    def spider_opened(self, spider):
        self.loop.start(self.interval, now=False)

    def item_scraped(self, item, response, spider):
        self.crawler.stats.inc_value(f"prakata/items/{item['type']}")

    def show(self):
        failed = len(getattr(self.crawler.spider, "fetch_failures", ()))
        line = progress_line(self.crawler.stats.get_stats(), failed,
                             time.monotonic() - self.started)
        self.stream.write(f"\r{line}\x1b[K")
        self.stream.flush()

    def spider_closed(self, spider):
        if self.loop.running:
            self.loop.stop()
        self.show()
        self.stream.write("\n")
