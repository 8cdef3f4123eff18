"""Item pipelines: page -> extracted, schema-valid item -> unique -> in range -> capped.

Each drop raises :class:`Dropped` with a category, so the run report can tell expected
skips (a section page is not an article, a duplicate) from real rejections (a soft 404,
a broken page, a schema violation): nothing is lost silently.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

from .extract_pool import ExtractPool, worker_count
from .fetch_requisites import REQUISITES_KEY
from .items import Page, fingerprint, item_key, mark_archived
from .state import StateStore

SKIPPED = "skipped"
REJECTED = "rejected"


class Dropped(DropItem):
    """An item that leaves the pipeline, with its category and reason."""

    def __init__(self, reason: str, category: str = REJECTED, url: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.category = category
        self.url = url


class _CrawlerPipeline:
    """A pipeline that knows its crawler (and so the spider's arguments)."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def spider(self):
        return self.crawler.spider


class ExtractPipeline(_CrawlerPipeline):
    """Runs the pure extractor over each fetched page (in worker processes: see
    :mod:`prakata_crawler.extract_pool`) and says which of its images the archive holds."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.pool = ExtractPool(worker_count(crawler.settings.getint("PRAKATA_EXTRACT_WORKERS")))

    def open_spider(self, spider=None):
        self.pool.start()

    def close_spider(self, spider=None):
        self.pool.close()

    async def process_item(self, item):
        if not isinstance(item, Page):
            return item
        if not 200 <= item.status < 300:
            raise Dropped(f"http status {item.status}", REJECTED, item.url)
        if item.parts_problem:  # half an article is not the article
            raise Dropped(f"multi-page article incomplete: {item.parts_problem}", REJECTED,
                          item.url)
        result, errors = await self.pool.extract(
            item.body, item.url, fetched_at=item.fetched_at,
            channel_hosts=frozenset(getattr(self.spider, "channel_hosts", ())),
            content_type=item.content_type,
            pages=[(part.body, part.url, part.content_type) for part in item.parts])
        if errors:  # every emitted item validates against the published JSON Schema
            raise Dropped("schema: " + "; ".join(errors[:3]), REJECTED, result.get("url"))
        if result["type"] == "rejected":
            reason = result["reason"]
            category = SKIPPED if reason.startswith("not an article") and item.kind == "page" \
                else REJECTED
            raise Dropped(reason, category, item.url)
        found = item.meta.get(REQUISITES_KEY)
        if found:
            result = mark_archived(result, lambda url: found[url].digest if url in found
                                   else None)
        return result


class DedupPipeline:
    """One item per canonical article URL, per article content and per channel ID in a
    run: a page served under two URLs without a canonical link (path case, a parameter
    the server ignores) is still one article."""

    def __init__(self):
        # 8-byte digests of the keys: a run of 100,000 articles holds 200,000 of them
        self.seen: set[bytes] = set()

    def process_item(self, item):
        keys = {hashlib.blake2b(key.encode(), digest_size=8).digest(): key
                for key in dedup_keys(item)}
        for digest, key in keys.items():
            if digest in self.seen:
                raise Dropped(f"duplicate of {key}", SKIPPED, item["url"])
        self.seen.update(keys)
        return item


def dedup_keys(item: dict) -> list[str]:
    """What makes two items of one run the same: the item key, and for an article its
    headline and body hash."""
    keys = [item_key(item)]
    if item["type"] == "article":
        keys.append(f"content {item['headline']} {item['content_sha256']}")
    return keys


class DateRangePipeline(_CrawlerPipeline):
    """``--since``/``--until`` bound articles by publication date."""

    def process_item(self, item):
        published = item.get("date_published")
        since = getattr(self.spider, "since", None)
        until = getattr(self.spider, "until", None)
        if item["type"] != "article" or not published or not (since or until):
            return item
        moment = datetime.fromisoformat(published)
        if (since and moment < since) or (until and moment > until):
            raise Dropped("outside --since/--until", SKIPPED, item["url"])
        return item


class VersionPipeline(_CrawlerPipeline):
    """An item whose content equals the last version in the archive's items is not emitted
    again; a changed one is emitted as the next ``version`` with the fingerprint of the one
    it replaces. The state store learns of an item only once it has been exported."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.run_id = crawler.settings.get("PRAKATA_RUN_ID")
        self.store = StateStore(Path(crawler.settings.get("PRAKATA_OUT")) / "state.sqlite")
        crawler.signals.connect(self.item_scraped, signals.item_scraped)
        crawler.signals.connect(self.store.close, signals.spider_closed)

    def process_item(self, item):
        return next_version(item, self.store.last_version(item_key(item)))

    def item_scraped(self, item, response, spider):
        self.store.emitted(item_key(item), fingerprint(item), item["version"], self.run_id,
                           item["crawled_at"], item["url"])


def next_version(item: dict, last: tuple[str, int] | None) -> dict:
    """``item`` as the version after ``last`` (fingerprint, version); Dropped if unchanged."""
    if last is None:
        return item
    if last[0] == fingerprint(item):
        raise Dropped("unchanged since the last crawl", SKIPPED, item["url"])
    return {**item, "version": last[1] + 1, "previous_sha256": last[0]}


class MaxArticlesPipeline(_CrawlerPipeline):
    """``--max-articles N``: stop the crawl once N articles are out."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.limit = crawler.settings.getint("PRAKATA_MAX_ARTICLES")
        self.count = 0

    def process_item(self, item):
        if not self.limit or item["type"] != "article":
            return item
        if self.count >= self.limit:
            raise Dropped("over --max-articles", SKIPPED, item["url"])
        self.count += 1
        if self.count == self.limit:
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="max_articles"))
        return item
