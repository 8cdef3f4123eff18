"""Requisite discovery and scope: what a page loads, and what of it may be fetched."""

import lxml.html
import pytest

from prakata_crawler.requisites import (
    DENIED,
    FONT,
    ICON,
    IMAGE,
    IN,
    MEDIA,
    OUT,
    SCRIPT,
    STYLE,
    css_requisites,
    denied,
    html_requisites,
    scope,
)

SITE = "https://www.prakata.com"
PAGE = SITE + "/2025/11/artikel.html"


def found(html: str, url: str = PAGE) -> dict[str, str]:
    return dict(html_requisites(lxml.html.fromstring(html), url))


def test_every_way_a_page_loads_an_image_or_a_file():
    got = found("""<html><head>
        <meta property="og:image" content="https://www.prakata.com/storage/og.jpg">
        <meta name="twitter:image" content="/storage/tw.jpg">
        <link rel="stylesheet" href="/css/app.css?v=3">
        <link rel="icon" type="image/svg+xml" href="/images/favicon.svg">
        <link rel="preload" as="font" href="/fonts/a.woff2" crossorigin>
        <link rel="canonical" href="/2025/11/artikel.html">
        <script src="/js/app.js" defer></script>
        <script type="application/ld+json">{"@graph": [{"@type": "NewsArticle",
          "image": {"@type": "ImageObject", "url": "https://www.prakata.com/storage/ld.jpg"},
          "author": {"image": ["/storage/author.png"]}}]}</script>
        <style>.hero { background: url('/images/hero.png') }</style>
        </head><body>
        <img src="/storage/lead.jpg" srcset="/storage/lead-480.jpg 480w, /storage/lead-960.jpg 960w">
        <img src="data:image/gif;base64,R0lGOD" data-src="/storage/lazy.jpg">
        <picture><source srcset="/storage/lead.webp" type="image/webp"><img src="/storage/lead.jpg"></picture>
        <amp-img src="/storage/amp.jpg"></amp-img>
        <video poster="/storage/poster.jpg"><source src="/media/clip.mp4"></video>
        <div style="background-image: url(&quot;/images/banner.png&quot;)"></div>
        <a href="/2025/11/lain.html">not a requisite</a>
        </body></html>""")
    assert got == {
        SITE + "/storage/og.jpg": IMAGE, SITE + "/storage/tw.jpg": IMAGE,
        SITE + "/css/app.css?v=3": STYLE, SITE + "/images/favicon.svg": ICON,
        SITE + "/fonts/a.woff2": FONT, SITE + "/js/app.js": SCRIPT,
        SITE + "/images/hero.png": IMAGE, SITE + "/storage/lead.jpg": IMAGE,
        SITE + "/storage/lead-480.jpg": IMAGE, SITE + "/storage/lead-960.jpg": IMAGE,
        SITE + "/storage/lazy.jpg": IMAGE, SITE + "/storage/lead.webp": IMAGE,
        SITE + "/storage/amp.jpg": IMAGE, SITE + "/storage/poster.jpg": IMAGE,
        SITE + "/media/clip.mp4": MEDIA, SITE + "/images/banner.png": IMAGE,
        SITE + "/storage/ld.jpg": IMAGE, SITE + "/storage/author.png": IMAGE,
    }


def test_relative_urls_resolve_against_base_and_fragments_go():
    got = found('<html><head><base href="https://cdn.prakata.com/assets/"></head><body>'
                '<img src="a.jpg#top"><img src="javascript:void(0)"><img src="#"></body></html>')
    assert got == {"https://cdn.prakata.com/assets/a.jpg": IMAGE}


def test_a_broken_json_ld_block_costs_nothing_but_its_images():
    got = found('<html><head><script type="application/ld+json">{"image": </script></head>'
                '<body><img src="/a.jpg"></body></html>')
    assert got == {SITE + "/a.jpg": IMAGE}


def test_stylesheet_imports_fonts_and_backgrounds():
    css = """@import url("print.css"); @import 'theme/dark.css';
             @font-face { src: url(/fonts/sans.woff2) format("woff2"), url('../fonts/sans.ttf'); }
             .logo { background: url(data:image/png;base64,AAAA) } .x { background: url(img/x.png) }"""
    assert dict(css_requisites(css, SITE + "/css/app.css")) == {
        SITE + "/css/print.css": STYLE, SITE + "/css/theme/dark.css": STYLE,
        SITE + "/fonts/sans.woff2": FONT, SITE + "/fonts/sans.ttf": FONT,
        SITE + "/css/img/x.png": IMAGE,
    }


@pytest.mark.parametrize("url, hosts, want", [
    (SITE + "/storage/a.jpg", (), IN),
    ("https://prakata.com/storage/a.jpg", (), IN),  # the site's bare domain
    ("https://cdn.prakata.com/a.jpg", (), IN),  # an asset host of the site's domain
    ("https://img.cdn.prakata.com/a.jpg", (), IN),
    ("https://i0.wp.com/www.prakata.com/a.jpg", (), OUT),  # a CDN: only when named
    ("https://i0.wp.com/www.prakata.com/a.jpg", ("i0.wp.com",), IN),
    ("https://pps.whatsapp.net/v/t61/a.jpg", (), OUT),
    ("https://pps.whatsapp.net/v/t61/a.jpg", ("pps.whatsapp.net",), IN),
    ("https://fonts.googleapis.com/css2?family=Inter", (), OUT),
    ("https://www.googletagmanager.com/gtag/js?id=G-1", (), DENIED),
    ("https://securepubads.g.doubleclick.net/tag/js/gpt.js", (), DENIED),
    (SITE + "/ads/banner-728x90.jpg", (), DENIED),  # an ad, though on the site
    (SITE + "/js/analytics.js", (), DENIED),
    ("https://prakata.com.evil.example/a.jpg", (), OUT),
    ("http://127.0.0.1/a.jpg", (), OUT),
    ("ftp://www.prakata.com/a.jpg", (), OUT),
    ("https://www.prakata.com@evil.example/a.jpg", (), OUT),
])
def test_scope(url, hosts, want):
    assert scope(url, SITE, hosts) == want


def test_a_mirror_site_on_an_address_has_no_sibling_hosts():
    site = "http://127.0.0.1:8080"
    assert scope("http://127.0.0.1:8080/a.jpg", site) == IN
    assert scope("http://127.0.0.1:8081/a.jpg", site) == OUT
    assert scope("http://127.0.0.1:8081/a.jpg", site, ("127.0.0.1:8081",)) == IN


def test_deny_list_names_whole_host_families_not_words():
    assert denied("https://stats.g.doubleclick.net/x.gif")
    assert not denied(SITE + "/storage/posts/2025/11/adik-kakak-juara.jpg")  # "ad" in a word
    assert not denied(SITE + "/storage/download/brosur.pdf")
