import pytest

from prakata_crawler.urls import canonicalize, channel_id, rebase, same_site

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
