"""Downloader middlewares."""

from urllib.parse import urlsplit

from scrapy.downloadermiddlewares import cookies
from scrapy.exceptions import IgnoreRequest
from tldextract import TLDExtract

from .urls import same_site

# Stock Scrapy downloads the public-suffix list from the internet on first use; a crawler
# that may only talk to its target site (and tests confined to 127.0.0.1) reads tldextract's
# bundled snapshot instead.
cookies._split_domain = TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)


class CookiesMiddleware(cookies.CookiesMiddleware):
    """Scrapy's cookie handling, without the public-suffix download."""


class SiteScopeMiddleware:
    """Only the site's host (with or without ``www.``) and the channel hosts are fetched,
    redirects included: a link or a 301 to anywhere else is refused and counted."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        spider = self.crawler.spider
        parts = urlsplit(request.url)
        if parts.scheme not in {"http", "https"}:
            raise IgnoreRequest(f"not an http(s) URL: {request.url}")
        if same_site(request.url, spider.site) or parts.netloc.lower() in spider.channel_hosts:
            return None
        self.crawler.stats.inc_value("prakata/offsite_refused")
        raise IgnoreRequest(f"outside the site and channel hosts: {request.url}")
