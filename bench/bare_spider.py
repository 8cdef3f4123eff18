"""The baseline of the crawl benchmark: a bare Scrapy spider that only follows same-site
links (no robots.txt, no extraction, no JSONL, no WARC), with the crawl's concurrency.
Prints one JSON line: responses and seconds between spider open and close.

    .venv/bin/python -m bench.bare_spider --site http://127.0.0.1:PORT
"""

from __future__ import annotations

import argparse
import json
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import CrawlerProcess


class BareSpider(scrapy.Spider):
    """Follows every <a href> on the start page's host; nothing else."""

    name = "bare"

    def __init__(self, site: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.start_urls = [site.rstrip("/") + "/"]
        self.host = urlsplit(site).netloc

    def parse(self, response):
        if not isinstance(response, scrapy.http.TextResponse):
            return
        for href in response.xpath("//a/@href").getall():
            url = response.urljoin(href)
            if urlsplit(url).netloc == self.host:
                yield scrapy.Request(url.split("#")[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--site", required=True)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    process = CrawlerProcess({
        "ROBOTSTXT_OBEY": False, "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS": args.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
        "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False,
    })
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, site=args.site)
    process.start()
    stats = crawler.stats.get_stats()
    print(json.dumps({"pages": stats.get("response_received_count", 0),
                      "seconds": round(stats["elapsed_time_seconds"], 2)}))


if __name__ == "__main__":
    main()
