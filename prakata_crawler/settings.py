"""Scrapy settings: polite defaults for the real prakata.com.

One request at a time per site, a delay, AutoThrottle, robots.txt obeyed, an honest user
agent. A local mirror run loosens them with ``-s`` (see the README).
"""

BOT_NAME = "prakata_crawler"
SPIDER_MODULES = ["prakata_crawler.spiders"]
NEWSPIDER_MODULE = "prakata_crawler.spiders"

# Operators: say who runs the crawl, e.g. -s PRAKATA_CONTACT=mailto:arsip@example.org; the
# spider builds USER_AGENT from it unless USER_AGENT itself is set.
PRAKATA_CONTACT = ""
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
# Outputs of one callback processed at once. Scrapy starts this many asyncio tasks for every
# response, however few outputs it has; ours yield one item at most (and their requests), so
# 8 loses no parallelism, where Scrapy's 100 cost the crawl's process 13-20% of its CPU
# (alternating crawls of the 10,000-article bench mirror; see the README).
CONCURRENT_ITEMS = 8
DOWNLOAD_DELAY = 2.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
# Caps on what one response may cost, compressed on the wire and again after decompression
# (Scrapy's HttpCompressionMiddleware stops a gzip bomb at DOWNLOAD_MAXSIZE); reextract
# applies the same cap to archived bodies.
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
# Only http(s) can ever be fetched: no file:, data:, ftp: or s3: handler exists to reach,
# whatever a link, a redirect or a sitemap says (SiteScopeMiddleware refuses them first).
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 2.0  # seconds before the first retry, doubled each time...
RETRY_BACKOFF_MAX = 120.0  # ...up to this; a Retry-After header overrides both

# pywb cannot replay br/zstd bodies and warcio 1.8 cannot read br records: ask for gzip only.
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "id,en;q=0.8",
    "Accept-Encoding": "gzip, deflate",
}

ITEM_PIPELINES = {
    "prakata_crawler.fetch_requisites.RequisitesPipeline": 50,
    "prakata_crawler.pipelines.ExtractPipeline": 100,
    "prakata_crawler.pipelines.DedupPipeline": 300,
    "prakata_crawler.pipelines.DateRangePipeline": 400,
    "prakata_crawler.pipelines.VersionPipeline": 450,
    "prakata_crawler.pipelines.MaxArticlesPipeline": 500,
}
EXTENSIONS = {
    "prakata_crawler.report.RunReport": 500,
    "prakata_crawler.crawlstate.CrawlState": 510,
    "prakata_crawler.progress.Progress": 520,
}
# Pending requests beyond this many wait in Scrapy's disk queues, not in memory (a flat
# sitemap of 100,000 articles would otherwise hold 100,000 requests): see frontier.py.
SCHEDULER = "prakata_crawler.frontier.Frontier"
PRAKATA_FRONTIER_MEMORY = 2000
# Pages are extracted in worker processes while the crawl fetches: -1 gives one per core but
# the crawl's own (at most 4), 0 extracts in the crawl's process.
PRAKATA_EXTRACT_WORKERS = -1
PRAKATA_PROGRESS_INTERVAL = 2.0  # seconds; only when stderr is a terminal
LOG_FORMATTER = "prakata_crawler.report.QuietDropFormatter"

# Where a run writes: items/<run-id>.jsonl and runs/<run-id>.json under PRAKATA_OUT.
PRAKATA_OUT = "archive"
PRAKATA_RUN_ID = ""
PRAKATA_CHANNEL_HOSTS = ["whatsapp.com", "www.whatsapp.com"]
PRAKATA_MAX_ERROR_RATE = 0.2
# Exit 7 ("coverage") when headline or body is found on fewer articles than this share:
# the sign of a layout change the extractor does not follow.
PRAKATA_MIN_COVERAGE = 0.9
PRAKATA_MAX_ARTICLES = 0
# Incremental runs: articles published within this many days are re-checked (with
# conditional requests); older ones the archive holds are not fetched again unless the
# site says they changed since (a sitemap's lastmod, a feed entry's updated).
PRAKATA_RECHECK_DAYS = 3
# A pagination or calendar walk (same URL, other numbers) stops after this many pages in a
# row, and as soon as a page shows nothing new: endless listings are crawler traps.
PRAKATA_MAX_WALK = 1000
# Pages of one multi-page article joined into its item at most (the rest is reported)
PRAKATA_MAX_ARTICLE_PAGES = 20

FEED_EXPORT_ENCODING = "utf-8"
FEED_STORAGES = {"": "prakata_crawler.feeds.UnbufferedFileFeedStorage",
                 "file": "prakata_crawler.feeds.UnbufferedFileFeedStorage"}
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "prakata_crawler.middlewares.BackoffRetryMiddleware": 550,
    "prakata_crawler.middlewares.CookiesMiddleware": 700,
    # after RedirectMiddleware (600) hands back a redirect, before anything is sent
    "prakata_crawler.middlewares.SiteScopeMiddleware": 50,
    "prakata_crawler.middlewares.ConditionalRequestMiddleware": 560,
    # on the wire side of HttpCompressionMiddleware (590) and HttpCacheMiddleware (900)
    "prakata_crawler.warc.capture.WarcCaptureMiddleware": 950,
    # after the capture has archived the body as received, before it is decompressed
    "prakata_crawler.middlewares.TruncatedBodyMiddleware": 940,
}

# Page requisites (images, stylesheets, scripts, fonts, icons a page loads) are archived
# with every HTML page, each once per run, through the same middlewares as pages (scope,
# robots.txt, politeness, retries, WARC). In scope: the site's host, hosts of its
# registrable domain (cdn., img.), the hosts listed here (e.g. "i0.wp.com"), and for
# channel pages WhatsApp's asset hosts (avatars, stylesheets); ads, analytics and trackers
# never (requisites.DENIED_HOSTS).
PRAKATA_REQUISITES_ENABLED = True
PRAKATA_REQUISITE_HOSTS = []
PRAKATA_CHANNEL_ASSET_HOSTS = ["pps.whatsapp.net", "static.whatsapp.net"]
# Bytes per kind; a bigger one (a video) is recorded as skipped. Kinds absent here get
# DOWNLOAD_MAXSIZE.
PRAKATA_REQUISITE_MAX_SIZE = {"image": 8 * 2**20, "icon": 2**20, "style": 2 * 2**20,
                              "script": 4 * 2**20, "font": 4 * 2**20, "media": 16 * 2**20,
                              "other": 4 * 2**20}
PRAKATA_REQUISITES_PER_PAGE = 500  # more is a hostile page: the rest is recorded as skipped
# A requisite the archive holds from a crawl within this many days is not asked for again
# (site chrome and photos rarely change); an older one gets a conditional request.
PRAKATA_REQUISITE_RECHECK_DAYS = 30

# WARC: every exchange under PRAKATA_OUT/warc, a CDXJ index per run under indexes/.
PRAKATA_WARC_ENABLED = True
PRAKATA_WARC_PREFIX = "prakata"
PRAKATA_WARC_MAX_SIZE = 10**9
PRAKATA_OPERATOR = ""
