import pytest

from prakata_crawler.urls import canonicalize, channel_id, in_scope, rebase, same_site

SITE = "https://www.prakata.com"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.prakata.com/2025/12/a.html?utm_source=wa&utm_medium=x", f"{SITE}/2025/12/a.html"),
        ("https://www.prakata.com/2025/12/a.html?m=1", f"{SITE}/2025/12/a.html"),
        ("https://www.prakata.com/2025/12/a.html#komentar", f"{SITE}/2025/12/a.html"),
        ("HTTPS://WWW.Prakata.com:443/2025/12/a.html?fbclid=1", f"{SITE}/2025/12/a.html"),
        ("https://www.prakata.com/amp/2025/12/a.html", f"{SITE}/2025/12/a.html"),
        ("https://www.prakata.com/kategori/x?page=2", f"{SITE}/kategori/x?page=2"),
    ],
)
def test_canonicalize(url, expected):
    assert canonicalize(url) == expected


def test_rebase_and_same_site():
    assert same_site("http://prakata.com/x", SITE)
    assert not same_site("https://prakata.com.evil.example/x", SITE)
    assert rebase("http://prakata.com/2025/12/a.html", SITE) == f"{SITE}/2025/12/a.html"


@pytest.mark.parametrize(
    "url",
    [
        "https://whatsapp.com/channel/0029VaPrakataNewsTgr01234",
        "https://www.whatsapp.com/channel/0029VaPrakataNewsTgr01234/384",
        "https://whatsapp.com/channel/0029VaPrakataNewsTgr01234?utm_source=prakata",
        "whatsapp://channel/0029VaPrakataNewsTgr01234",
    ],
)
def test_channel_id_forms(url):
    assert channel_id(url) == "0029VaPrakataNewsTgr01234"


def test_channel_id_needs_a_channel_host():
    url = "http://127.0.0.1:8001/channel/0029VaPrakataNewsTgr01234"
    assert channel_id(url) is None
    assert channel_id(url, {"127.0.0.1:8001"}) == "0029VaPrakataNewsTgr01234"
    assert channel_id("https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv") is None


LOCAL = "http://127.0.0.1:8000"


@pytest.mark.parametrize("url", [
    f"{LOCAL}/2025/12/a.html", "https://127.0.0.1:8000/", "HTTP://127.0.0.1:8000/#x",
    "http://127.0.0.1:9000/channel/0029VaPrakataNewsTgr01234",
])
def test_in_scope_admits_the_configured_site_and_channel_hosts(url):
    assert in_scope(url, LOCAL, {"127.0.0.1:9000"})


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8001/", "http://127.0.0.1/", "http://localhost:8000/",
    "http://2130706433:8000/", "http://0x7f000001:8000/", "http://0x7f.0.0.1:8000/",
    "http://127.1:8000/", "http://017700000001:8000/", "http://[::1]:8000/",
    "http://[::ffff:127.0.0.1]:8000/", "http://www.127.0.0.1:8000/", "http://127.0.0.1.:8000/",
    "http://10.0.0.1/", "http://192.168.1.1/", "http://172.16.0.1/",
    "http://169.254.169.254/latest/meta-data/", "http://[fd00::1]/", "http://0.0.0.0:8000/",
    # userinfo and backslashes: urllib, Twisted and browsers disagree on the host
    "http://evil@127.0.0.1:8000/", "http://127.0.0.1:8000@127.0.0.1:8001/",
    "http://127.0.0.1:8001\\@127.0.0.1:8000/", "http://127.0.0.1:8000 @x/",
    "http://127.0.0.1:99999/", "http://[127.0.0.1:8000/", "http://127.0.0.1:8000:/x",
    "file:///etc/passwd", "data:text/html,<h1>x</h1>", "javascript:alert(1)",
    "ftp://127.0.0.1:8000/", "gopher://127.0.0.1:8000/", "ws://127.0.0.1:8000/",
    "//127.0.0.1:8000/", "/2025/12/a.html", "",
])
def test_in_scope_refuses_everything_else(url):
    assert not in_scope(url, LOCAL, {"127.0.0.1:9000"})


def test_in_scope_www_twin_only_for_a_named_site():
    assert in_scope("http://prakata.com/x", SITE)
    assert in_scope("https://www.prakata.com:443/x", SITE)
    assert not in_scope("https://www.prakata.com:8443/x", SITE)
    assert not in_scope("https://prakata.com.evil.example/x", SITE)
    assert not in_scope("https://xprakata.com/x", SITE)
