"""Downloader middlewares."""

from scrapy.downloadermiddlewares import cookies
from tldextract import TLDExtract

# Stock Scrapy downloads the public-suffix list from the internet on first use; a crawler
# that may only talk to its target site (and tests confined to 127.0.0.1) reads tldextract's
# bundled snapshot instead.
cookies._split_domain = TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)


class CookiesMiddleware(cookies.CookiesMiddleware):
    """Scrapy's cookie handling, without the public-suffix download."""
