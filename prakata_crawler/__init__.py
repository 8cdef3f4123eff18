"""prakata-crawler: crawl prakata.com into normalized items and a replayable archive.

``from prakata_crawler import extract`` needs no Scrapy: extraction is plain functions.
"""

from .extract import extract

__all__ = ["extract"]
__version__ = "0.1.0"
