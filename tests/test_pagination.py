"""Which pages make up a multi-page article (extract/pagination.py), and one item from them."""

from pathlib import Path

import pytest
from lxml import etree, html

from prakata_crawler.extract import extract
from prakata_crawler.extract.pagination import ALL, page_of, pagination
from prakata_crawler.spiders.prakata import NewsSitemap, feed_entry

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TRIBUN = "https://banten.tribunnews.com/2025/11/28/tanggul-kali-ledug-jebol-ratusan-rumah-di-" \
         "periuk-tangerang-terendam-banjir"
PASAR = "/2025/12/menelusuri-jejak-pasar-lama-tangerang-denyut-ekonomi-sejak-zaman-kolonial"
OPINI = "/opini/catatan-dari-cisadane-sungai-yang-menghidupi-kota/"
SITE = "https://www.prakata.com"


def read(path: str):
    return html.fromstring((FIXTURES / path).read_bytes())


@pytest.mark.parametrize("url, key, number", [
    (f"{SITE}{PASAR}.html?page=2", f"{SITE}{PASAR}.html", 2),
    (f"{SITE}{PASAR}.html?utm_source=x&halaman=3", f"{SITE}{PASAR}.html?utm_source=x", 3),
    (f"{SITE}{PASAR}.html?page=all", f"{SITE}{PASAR}.html", ALL),
    (f"{SITE}{OPINI}2/", f"{SITE}{OPINI}".rstrip("/"), 2),
    (f"{SITE}{OPINI}", f"{SITE}{OPINI}".rstrip("/"), None),
    (f"{SITE}/berita/2025/12/01", f"{SITE}/berita/2025/12/01", None),  # a date, not page 1
    (f"{SITE}/?p=123", f"{SITE}/?p=123", None),  # WordPress's post ID
])
def test_page_of(url, key, number):
    assert page_of(url) == (key, number)


def test_tribun_pages_next_and_show_all():
    first = pagination(read("pages/tribun-multipage-laporan-wartawan.html"), TRIBUN)
    assert first.number == 1 and not first.later
    assert first.next == first.pages[2] == TRIBUN + "?page=2"
    assert first.show_all == TRIBUN + "?page=all"
    later = pagination(read("pages/tribun-multipage-laporan-wartawan.html"), TRIBUN + "?page=2")
    assert later.later and later.number == 2 and later.first == TRIBUN


def test_wordpress_path_pages_with_icon_arrows_and_rel_links():
    root = read(f"site{OPINI}2/index.html")
    pager = pagination(root, f"{SITE}{OPINI}2/")
    assert pager.number == 2 and pager.first == f"{SITE}{OPINI}"
    assert pager.next == f"{SITE}{OPINI}3/" and pager.show_all is None
    last = pagination(read(f"site{OPINI}3/index.html"), f"{SITE}{OPINI}3/")
    assert last.number == 3 and last.next is None


@pytest.mark.parametrize("path, url", [
    ("site/kategori/pemerintahan-2.html", "/kategori/pemerintahan?page=2"),  # a listing
    ("site/index.html", "/"),
    ("site/2025/11/rsud-kota-tangerang-tambah-10-mesin-cuci-darah-untuk-pasien-bpjs.html",
     "/2025/11/rsud-kota-tangerang-tambah-10-mesin-cuci-darah-untuk-pasien-bpjs.html"),
])
def test_pages_that_are_not_part_of_a_multi_page_article(path, url):
    assert pagination(read(path), SITE + url) is None


def test_a_listing_that_calls_itself_an_article_is_still_no_multi_page_article():
    page = (b'<html><head><meta property="og:type" content="article"></head><body>'
            b'<a href="/kategori/kota?page=2">2</a><a href="/kategori/kota?page=3">3</a>'
            b"</body></html>")
    assert pagination(html.fromstring(page), SITE + "/kategori/kota") is None


def test_later_pages_are_no_items_of_their_own_but_a_show_all_view_is_the_article():
    for path, url in ((f"{PASAR}-page-2.html", f"{PASAR}.html?page=2"),
                      (f"{OPINI}3/index.html", f"{OPINI}3/")):
        item = extract((FIXTURES / "site" / path.lstrip("/")).read_bytes(), SITE + url)
        assert item["type"] == "rejected"
        assert "multi-page article (its first page: https://www.prakata.com/" in item["reason"]
    whole = extract((FIXTURES / f"site{PASAR}-all.html").read_bytes(),
                    f"{SITE}{PASAR}.html?page=all")
    assert whole["type"] == "article" and whole["canonical_url"] == f"{SITE}{PASAR}.html"
    assert "Rizal Ridolloh" in whole["body"]  # page 3's text


def test_pages_and_show_all_view_give_the_same_item():
    first = (FIXTURES / f"site{PASAR}.html").read_bytes()
    url = f"{SITE}{PASAR}.html"

    def part(suffix, query):
        return (FIXTURES / f"site{PASAR}{suffix}.html").read_bytes(), f"{url}?{query}", None

    joined = extract(first, url, pages=[part("-page-2", "page=2"), part("-page-3", "page=3")])
    whole = extract(first, url, pages=[part("-all", "page=all")])
    alone = extract(first, url)
    assert joined["body"] == whole["body"] and joined["body"].startswith(alone["body"])
    assert joined["word_count"] > 2 * alone["word_count"]
    assert joined["body"].count("Menelusuri Jejak") == 0  # the headline, printed on every page
    assert joined["byline"] == whole["byline"] == "Ayu"  # closing the last page
    assert joined["pages"] == [url, f"{url}?page=2", f"{url}?page=3"]
    assert whole["pages"] == [f"{url}?page=all"] and alone["pages"] == [url]


def test_news_sitemap_publication_date_and_feed_entry_dates():
    entries = list(NewsSitemap((FIXTURES / "site/sitemap-news.xml").read_bytes()))
    assert len(entries) == 5 and all(e["publication_date"].startswith("2025-1") for e in entries)
    atom = etree.fromstring((FIXTURES / "site/feed-atom.xml").read_bytes())
    link, stamp = feed_entry(next(atom.iter("{*}entry")))
    assert link.endswith("/2025/11/mal-pelayanan-publik-kota-tangerang-kini-buka-hingga-malam-"
                         "hari.html") and stamp == "2025-11-30T13:25:00+07:00"  # updated
    rss = etree.fromstring((FIXTURES / "site/feed.xml").read_bytes())
    link, stamp = feed_entry(next(rss.iter("item")))
    assert "utm_source=rss" in link and stamp == "Tue, 02 Dec 2025 07:30:00 +0700"
