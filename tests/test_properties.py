"""Property tests: extraction and normalization on input nobody wrote by hand.

The site and the open web serve anything (binary as text/html, NULs, wrong charsets, broken
JSON-LD, dates in any shape); hand-picked fixtures cover what we thought of, hypothesis
covers the rest. ``derandomize=True`` makes every run (and CI) try the same examples.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prakata_crawler.extract import extract
from prakata_crawler.extract.channel import MAX_FOLLOWERS, parse_followers
from prakata_crawler.extract.dates import WIB, parse_date, to_iso
from prakata_crawler.extract.text import norm
from prakata_crawler.items import ISO_DATETIME, validation_errors
from prakata_crawler.urls import (
    canonicalize,
    channel_id,
    host_key,
    in_scope,
    safe_join,
    same_site,
)

NOW = datetime(2026, 1, 15, 10, 0, tzinfo=WIB)
ARTICLE_URL = "https://www.prakata.com/2025/12/wali-kota-tinjau-banjir.html"
CHANNEL_URL = "https://www.whatsapp.com/channel/0029VaPrakataNewsTgr01234"
URLS = st.sampled_from([ARTICLE_URL, CHANNEL_URL, "https://www.prakata.com/",
                        "http://127.0.0.1:8000/2025/12/x.html"])
FEW = settings(max_examples=60, deadline=None, derandomize=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def assert_item_or_reason(item: dict) -> None:
    """What every extraction must give: a schema-valid item, or a rejection that says why
    without being an internal error (``extract`` catches those, but each is a bug)."""
    assert not validation_errors(item), (validation_errors(item), item)
    json.dumps(item, ensure_ascii=False)  # the feed exporter can write it
    if item["type"] == "rejected":
        assert item["reason"].strip()
        assert not item["reason"].startswith("extraction error"), item["reason"]


# -- arbitrary HTML trees ------------------------------------------------------------------

WORDS = st.sampled_from(["Kota", "Tangerang", "Wali", "Senin", "(1/12/2025)", "Prakata.com –",
                         "(Rtm)", "Baca Juga:", "pengikut", "1,2 rb", "\u200b", "&nbsp;",
                         "\x00", "é", "😀", "<", "&amp;", "]]>", "WIB", "\ufffd",
                         "9" * 4400 + " pengikut"])
TEXT = st.lists(st.one_of(WORDS, st.text(max_size=12)), max_size=12).map(" ".join)
DATES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["2025-12-01T10:15:00+07:00", "2025-12-01T10:15:00+99:00", "Senin (1/12/2025)",
                     "Selasa, 28 Des 2021 17:02", "4 tahun lalu", "99999999999 hari lalu",
                     "2019-09-28WIB19:17:34+07:00", "0000-00-00", "31/02/2025", "9999-12-31"]),
)
ATTR_NAMES = st.sampled_from(["class", "id", "href", "src", "content", "name", "property",
                              "datetime", "rel", "itemprop", "charset", "alt", "title", "x\x00"])
ATTRS = st.dictionaries(ATTR_NAMES, st.one_of(TEXT, DATES), max_size=3)


def _attrs(attrs: dict[str, str]) -> str:
    return "".join(f' {k}="{v.replace(chr(34), "&quot;")}"' for k, v in attrs.items())


def _json_ld(draw) -> str:
    node = draw(st.fixed_dictionaries({}, optional={
        "@type": st.sampled_from(["NewsArticle", "Article", ["NewsArticle"], 7, None]),
        "headline": st.one_of(TEXT, st.integers(), st.none()),
        "datePublished": st.one_of(DATES, st.integers(), st.none()),
        "dateModified": DATES,
        "author": st.one_of(TEXT, st.lists(st.fixed_dictionaries({"name": TEXT}), max_size=2),
                            st.dictionaries(st.text(max_size=5), TEXT, max_size=2)),
        "image": st.one_of(TEXT, st.lists(TEXT, max_size=2), st.fixed_dictionaries({"url": TEXT})),
        "keywords": st.one_of(TEXT, st.lists(TEXT, max_size=3)),
        "mainEntityOfPage": st.one_of(TEXT, st.fixed_dictionaries({"@id": TEXT})),
    }))
    shape = draw(st.sampled_from(["bare", "list", "graph", "broken"]))
    text = json.dumps({"bare": node, "list": [node], "graph": {"@graph": [node]},
                       "broken": node}[shape])
    return text[: len(text) // 2] if shape == "broken" else text


@st.composite
def leaf(draw) -> str:
    kind = draw(st.sampled_from(["text", "meta", "ldjson", "time", "img", "a", "input"]))
    if kind == "meta":
        key = draw(st.sampled_from(["og:title", "og:description", "og:image", "og:url",
                                    "article:published_time", "article:modified_time",
                                    "article:section", "article:tag", "author", "csrf-token"]))
        attr = "property" if ":" in key else "name"
        return f'<meta {attr}="{key}"{_attrs({"content": draw(st.one_of(TEXT, DATES))})}>'
    if kind == "ldjson":
        return f'<script type="application/ld+json">{_json_ld(draw)}</script>'
    if kind == "time":
        return f'<time{_attrs({"datetime": draw(DATES)})}>{draw(DATES)}</time>'
    if kind == "img":
        return f"<img{_attrs(draw(ATTRS))}>"
    if kind == "a":
        href = draw(st.one_of(TEXT, st.sampled_from([CHANNEL_URL, "http://[broken/",
                                                      "javascript:alert(1)", "//x.y/z"])))
        return f'<a href="{href}">{draw(TEXT)}</a>'
    if kind == "input":
        return f'<input type="hidden" name="_token"{_attrs({"value": draw(TEXT)})}>'
    return draw(TEXT)


TAGS = st.sampled_from(["article", "div", "p", "h1", "h2", "span", "section", "figure",
                        "figcaption", "header", "footer", "main", "table", "ul", "li", "b",
                        "script", "style", "noscript", "head", "body", "html", "title", "form"])
TREES = st.recursive(
    leaf(),
    lambda children: st.builds(
        lambda tag, attrs, kids, close: f"<{tag}{_attrs(attrs)}>{''.join(kids)}"
                                        + (f"</{tag}>" if close else ""),
        TAGS, ATTRS, st.lists(children, max_size=5), st.booleans()),
    max_leaves=30,
)
SENTENCE = st.lists(WORDS | st.sampled_from(
    ["Pemerintah", "Kota", "menggelar", "apel", "pagi", "bersama", "warga", "kegiatan",
     "pelayanan", "publik", "yang", "dihadiri", "ratusan", "peserta."]), min_size=12,
    max_size=40).map(" ".join)


@st.composite
def articles(draw) -> str:
    """An article skeleton (headline, long paragraphs) with random trees around and inside,
    so the article path (dates, bylines, captions, JSON-LD) is walked, not only rejections."""
    paragraphs = "".join(f"<p>{draw(SENTENCE)}</p>{draw(TREES) if draw(st.booleans()) else ''}"
                         for _ in range(draw(st.integers(3, 8))))
    return (f"<title>{draw(TEXT)} - Prakata.com | Kata-kata Dalam Berita</title>{draw(TREES)}"
            f"<article{_attrs(draw(ATTRS))}><h1>{draw(SENTENCE)}</h1>{draw(TREES)}"
            f"{paragraphs}</article>{draw(TREES)}")


CHARSETS = st.sampled_from(["utf-8", "windows-1252", "iso-8859-1", "utf-16", "shift_jis",
                            "x-bogus"])


@st.composite
def pages(draw) -> tuple[bytes, str | None]:
    """An HTML page, encoded in one charset and maybe declaring another (or a bogus one)."""
    real, declared = draw(CHARSETS), draw(st.one_of(st.none(), CHARSETS))
    meta = f'<meta charset="{declared}">' if declared and draw(st.booleans()) else ""
    html = f"<!doctype html><html><head>{meta}</head>{draw(st.one_of(articles(), TREES))}"
    encoding = real if real != "x-bogus" else "utf-8"
    header = f"text/html; charset={declared}" if declared and draw(st.booleans()) else None
    return html.encode(encoding, errors="replace"), header


@settings(FEW, max_examples=150)
@given(page=pages(), url=URLS)
def test_any_html_tree_gives_a_valid_item_or_a_reason(page, url):
    body, content_type = page
    item = extract(body, url, fetched_at=NOW, content_type=content_type)
    assert_item_or_reason(item)
    if item["type"] == "article":
        assert to_iso(NOW) >= (item["date_published"] or "")  # never in the future


@FEW
@given(body=st.binary(max_size=4096), url=URLS,
       content_type=st.one_of(st.none(), st.text(max_size=40)))
def test_any_bytes_give_a_valid_item_or_a_reason(body, url, content_type):
    assert_item_or_reason(extract(body, url, fetched_at=NOW, content_type=content_type))


# -- dates ---------------------------------------------------------------------------------

DATE_TEXT = st.one_of(
    DATES,
    st.from_regex(r"\d{1,12}[/.\- ]\d{1,12}[/.\- ]\d{1,12}( \d{1,3}[:.]\d{1,3}( [AP]M)?)?"
                  r"( WI[BT]A?)?", fullmatch=True),
    st.from_regex(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?"
                  r"(Z|[+-]\d{2}:?\d{2}|WIB)?", fullmatch=True),
    st.from_regex(r"\d{1,15} (detik|menit|jam|hari|minggu|bulan|tahun|years?) (yang )?lalu",
                  fullmatch=True),
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(text=DATE_TEXT)
def test_dates_are_aware_past_and_jakarta_printable_or_none(text):
    moment = parse_date(text, now=NOW)
    if moment is None:
        return
    assert moment.utcoffset() is not None
    assert moment <= NOW + timedelta(minutes=5)
    assert re.fullmatch(ISO_DATETIME, to_iso(moment))


# -- URLs and text -------------------------------------------------------------------------

URL_TEXT = st.one_of(
    st.text(max_size=60),
    st.builds(lambda scheme, host, path, query, frag: f"{scheme}{host}{path}{query}{frag}",
              st.sampled_from(["http://", "HTTPS://", "", "//", "ftp://", "whatsapp://"]),
              st.sampled_from(["www.prakata.com", "PRAKATA.com:443", "127.0.0.1:8000", "[::1]",
                               "user@host", "[broken", "h\x00st", "ex%41mple.org", ""]),
              st.text(alphabet="/.-_%a1?=&#\\ \t", max_size=20),
              st.sampled_from(["", "?utm_source=x&a=1", "?m=1", "?amp=1&b", "?%zz=%"]),
              st.sampled_from(["", "#frag", "#"])),
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(url=URL_TEXT)
def test_url_functions_are_total_and_canonicalize_idempotent(url):
    once = canonicalize(url)
    assert canonicalize(once) == once
    assert canonicalize(url, "https://www.prakata.com/a/") == canonicalize(
        canonicalize(url, "https://www.prakata.com/a/"))
    assert host_key(once) == host_key(host_key(once))
    assert isinstance(same_site(url, "https://www.prakata.com"), bool)
    assert in_scope(url, "https://www.prakata.com") in {True, False}
    channel_id(url)
    safe_join("https://www.prakata.com/", url)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(text=st.text(max_size=80))
def test_norm_and_follower_counts_are_total(text):
    assert norm(norm(text)) == norm(text)
    count = parse_followers(text)
    assert count is None or 0 <= count <= MAX_FOLLOWERS


@settings(max_examples=150, deadline=None, derandomize=True)
@given(number=st.from_regex(r"\d[\d.,]{0,40}", fullmatch=True),
       suffix=st.sampled_from(["", " rb", " jt", " M", " T", "K", " miliar", " B", " x"]),
       word=st.sampled_from([" pengikut", " followers", ""]))
def test_follower_counts_are_bounded_or_none(number, suffix, word):
    """A count is an int JSON can carry and a person could believe, or None (a channel
    without a count is rejected, never given 0)."""
    count = parse_followers(f"Saluran | {number}{suffix}{word}")
    assert count is None or (isinstance(count, int) and 0 <= count <= MAX_FOLLOWERS)
