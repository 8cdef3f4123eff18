"""Keeps the state store's URL tables current: every fetch with its validators, what
extraction made of it, and what the job has scheduled but not finished. The spider reads
it to skip what it already holds and to resume a killed job without losing the requests
that were in flight; the conditional request middleware to ask "changed since?"."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from scrapy import signals
from scrapy.http import TextResponse

from .fetch_requisites import REQUISITE
from .items import Page
from .reasons import LATER_PAGE, REASON
from .state import StateStore

ITEM_CALLBACKS = {"parse_page", "parse_channel"}  # callbacks that yield a Page item


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
        crawler.signals.connect(ext.request_scheduled, signals.request_scheduled)
        crawler.signals.connect(ext.item_scraped, signals.item_scraped)
        crawler.signals.connect(ext.item_dropped, signals.item_dropped)
        crawler.signals.connect(ext.spider_closed, signals.spider_closed)
        return ext

    def spider_closed(self, spider, reason):
        if reason == "finished":  # the job ran dry: nothing is in flight any more
            self.store.forget_pending()
        self.store.close()

    def request_scheduled(self, request, spider):
        if request.callback is not None:  # not robots.txt and other internal fetches
            self.store.scheduled(request.url)

    def response_received(self, response, request, spider):
        requisite = REQUISITE in request.meta
        if not requisite and not isinstance(response, TextResponse) and \
                getattr(request.callback, "__name__", "") in ITEM_CALLBACKS:
            self._done(request)  # a binary page yields nothing: nothing left to lose
        when = datetime.now(timezone.utc).isoformat(timespec="seconds")
        for hop in request.meta.get("redirect_urls", []):
            self.store.fetched(hop, 301, None, None, when)
        header = response.headers.get
        self.store.fetched(request.url, response.status,
                           (header(b"ETag") or b"").decode("latin-1") or None,
                           (header(b"Last-Modified") or b"").decode("latin-1") or None, when)
        if requisite:  # known to the conditional request middleware from now on
            self.store.classified(request.url, "requisite")
        elif request.meta.get(REASON) == LATER_PAGE:
            pass  # classified with its article's item
        elif getattr(request.callback, "__name__", "") not in ITEM_CALLBACKS:
            self.store.classified(request.url, "index")  # robots.txt, sitemaps, feeds

    def item_scraped(self, item, response, spider):
        self.store.classified(response.url, item["type"], item.get("date_published"))
        for url in item.get("pages") or ():  # a multi-page article's other pages: as it
            if url != response.url:
                self.store.classified(url, item["type"], item.get("date_published"))
        self._done(response.request)

    def _done(self, request) -> None:
        self.store.processed(request.url, *request.meta.get("redirect_urls", []))

    def item_dropped(self, item, response, exception, spider):
        if response is None:
            return
        self._done(response.request)
        if isinstance(item, Page):
            self.store.classified(response.url, "page")
        elif item.get("type") in {"article", "whatsapp_channel"}:  # unchanged, duplicate...
            self.store.classified(response.url, item["type"], item.get("date_published"))
