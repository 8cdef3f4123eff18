"""Keeps the state store's URL table current: every fetch with its validators, and what
extraction made of it. The spider reads it to skip what it already holds, the conditional
request middleware to ask "changed since?"."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from scrapy import signals

from .items import Page
from .state import StateStore


def open_store(crawler) -> StateStore:
    return StateStore(Path(crawler.settings.get("PRAKATA_OUT")) / "state.sqlite")


class CrawlState:
    """An extension: records fetches and classifications through Scrapy signals."""

    def __init__(self, crawler):
        self.store = open_store(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.response_received, signals.response_received)
        crawler.signals.connect(ext.item_scraped, signals.item_scraped)
        crawler.signals.connect(ext.item_dropped, signals.item_dropped)
        crawler.signals.connect(ext.store.close, signals.spider_closed)
        return ext

    def response_received(self, response, request, spider):
        when = datetime.now(timezone.utc).isoformat(timespec="seconds")
        for hop in request.meta.get("redirect_urls", []):
            self.store.fetched(hop, 301, None, None, when)
        header = response.headers.get
        self.store.fetched(request.url, response.status,
                           (header(b"ETag") or b"").decode("latin-1") or None,
                           (header(b"Last-Modified") or b"").decode("latin-1") or None, when)

    def item_scraped(self, item, response, spider):
        self.store.classified(response.url, item["type"], item.get("date_published"))

    def item_dropped(self, item, response, exception, spider):
        if response is None:
            return
        if isinstance(item, Page):
            self.store.classified(response.url, "page")
        elif item.get("type") in {"article", "whatsapp_channel"}:  # unchanged, duplicate...
            self.store.classified(response.url, item["type"], item.get("date_published"))
