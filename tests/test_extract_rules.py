"""One small page per extraction rule: each layer must hold on its own."""

import json
from datetime import datetime

import pytest

from prakata_crawler import extract
from prakata_crawler.extract.dates import WIB
from prakata_crawler.items import validation_errors

NOW = datetime(2025, 12, 2, 9, 0, tzinfo=WIB)
URL = "https://www.prakata.com/2025/12/contoh-berita.html"
PARAS = [
    "Prakata.com – Pemerintah Kota Tangerang meresmikan taman baru di Kecamatan Cipondoh, Senin (1/12/2025). Taman ini dibangun untuk warga sekitar.",
    "Wali Kota menyebut taman tersebut menjadi ruang terbuka hijau yang bisa dimanfaatkan oleh warga untuk berolahraga dan berkumpul bersama keluarga.",
    "Pembangunan taman menghabiskan anggaran sekitar Rp2 miliar dan dikerjakan selama enam bulan oleh dinas terkait di lingkungan pemerintah kota.",
]


def page(head: str = "", body: str = "", lang: str = "id") -> bytes:
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">{head}</head>'
            f"<body><nav><a href='/'>Beranda</a><a href='/kategori/x'>X</a></nav>{body}"
            "<footer>Hak cipta Prakata.com</footer></body></html>").encode()


def article(extra_body: str = "", before: str = "", paras=PARAS, head: str = "", tail: str = "") -> bytes:
    ps = "".join(f"<p>{p}</p>" for p in paras)
    return page(
        '<meta property="og:type" content="article">' + head,
        f"<main><article><h1>Taman Baru Diresmikan</h1>{before}"
        f"<div class='isi'>{ps}{extra_body}</div>{tail}</article></main>",
    )


def run(body: bytes, url: str = URL, **kw) -> dict:
    item = extract(body, url, fetched_at=NOW, **kw)
    assert not validation_errors(item), validation_errors(item)
    return item


def test_jsonld_graph_supplies_dates_section_tags_authors():
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "BreadcrumbList", "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "Home", "item": "https://www.prakata.com/"},
            {"@type": "ListItem", "position": 2, "name": "Pemerintahan", "item": "https://www.prakata.com/kategori/pemerintahan"},
            {"@type": "ListItem", "position": 3, "name": "Taman Baru Diresmikan"}]},
        {"@type": "NewsArticle", "headline": "Taman Baru Diresmikan",
         "datePublished": "2025-12-01T03:15:00Z", "dateModified": "2025-12-01T12:00:00+07:00",
         "author": [{"@type": "Person", "name": "Ahmad Fauzi"}, {"@type": "Organization", "name": "Prakata.com"}],
         "keywords": "taman, Cipondoh, ruang terbuka hijau"},
    ]}
    head = '<script type="application/ld+json">{broken</script>'
    head += f'<script type="application/ld+json">{json.dumps(graph)}</script>'
    item = run(article(head=head))
    assert item["date_published"] == "2025-12-01T10:15:00+07:00"
    assert item["date_modified"] == "2025-12-01T12:00:00+07:00"
    assert item["section"] == "Pemerintahan"
    assert item["tags"] == ["taman", "Cipondoh", "ruang terbuka hijau"]
    assert item["authors"] == ["Ahmad Fauzi"]
    assert item["byline"] == "Ahmad Fauzi"


def test_meta_layer_when_no_jsonld():
    head = ('<meta property="article:published_time" content="2025-12-01T10:15:00+07:00">'
            '<meta property="article:section" content="Kesehatan">'
            '<meta property="article:tag" content="taman"><meta property="article:tag" content="warga">'
            '<meta name="description" content="Taman baru."><meta property="og:image" content="/img/t.jpg">'
            '<link rel="canonical" href="https://prakata.com/2025/12/contoh-berita.html?utm_source=x#a">')
    item = run(article(head=head))
    assert item["date_published"] == "2025-12-01T10:15:00+07:00"
    assert (item["section"], item["tags"], item["description"]) == ("Kesehatan", ["taman", "warga"], "Taman baru.")
    assert item["image_url"] == "https://www.prakata.com/img/t.jpg"
    assert item["canonical_url"] == "https://prakata.com/2025/12/contoh-berita.html"


def test_body_keeps_dateline_drops_byline_cta_and_inserts():
    paras = [PARAS[0], PARAS[1] + ' <strong>Baca Juga: <a href="/2025/11/lain.html">Judul Lain</a></strong> Kalimat lanjutan tetap ada.',
             "Baca Juga: <a href='https://www.prakata.com/2025/11/dua.html'>Berita Dua</a>",
             PARAS[2] + " (Rtm)",
             '<a href="https://whatsapp.com/channel/0029VaPrakataNewsTgr01234/384">Ikuti Berita Terbaru di WhatsApp Channel</a>']
    item = run(article(paras=paras))
    body = item["body"].split("\n\n")
    assert body[0] == PARAS[0]
    assert body[1] == PARAS[1] + " Kalimat lanjutan tetap ada."
    assert body[2] == PARAS[2]
    assert len(body) == 3
    assert item["byline"] == "Rtm" and item["authors"] == ["Rtm"]
    assert item["related_urls"] == ["https://www.prakata.com/2025/11/lain.html",
                                    "https://www.prakata.com/2025/11/dua.html"]
    assert item["whatsapp_channels"] == ["https://www.whatsapp.com/channel/0029VaPrakataNewsTgr01234"]
    assert item["word_count"] == len(item["body"].split())


def test_mid_text_acronym_is_not_a_byline():
    paras = PARAS[:2] + ["Kegiatan ini diikuti oleh seluruh Aparatur Sipil Negara (ASN)"]
    item = run(article(paras=paras))
    assert item["byline"] is None
    assert item["body"].endswith("(ASN)")


def test_labelled_credit_line_is_byline_not_body():
    item = run(article(extra_body="<p>Penulis: Ahmad Fauzi | Editor: Budi Santoso</p>"))
    assert "Penulis" not in item["body"]
    assert item["byline"] == "Ahmad Fauzi"
    assert item["authors"] == ["Ahmad Fauzi", "Budi Santoso"]


@pytest.mark.parametrize(
    ("credit", "byline", "authors"),
    [
        ("Penulis: Ahmad Fauzi | Editor: Rina", "Ahmad Fauzi", ["Ahmad Fauzi", "Rina"]),
        ("Reporter: Budi Santoso", "Budi Santoso", ["Budi Santoso"]),
        ("Laporan: Yusuf Maulana", "Yusuf Maulana", ["Yusuf Maulana"]),
        ("Oleh: Ahmad Fauzi dan Rina Marlina", "Ahmad Fauzi dan Rina Marlina", ["Ahmad Fauzi", "Rina Marlina"]),
        ("Editor: Rina", "Rina", ["Rina"]),
    ],
)
def test_credit_printed_as_the_last_paragraph_is_byline_without_label(credit, byline, authors):
    item = run(article(extra_body=f"<p>{credit}</p>"))
    assert item["byline"] == byline and item["authors"] == authors
    assert credit.split(":")[1].strip().split()[0] not in item["body"]


def test_bare_credit_label_takes_the_name_printed_after_it():
    meta = ('<div class="meta"><span class="label">Penulis:</span></div>'
            '<div class="meta"><a href="/penulis/ahmad">Ahmad Fauzi</a></div>')
    item = run(article(before=meta))
    assert item["byline"] == "Ahmad Fauzi" and item["authors"] == ["Ahmad Fauzi"]


def test_bare_credit_label_closing_the_body_takes_the_next_line():
    item = run(article(extra_body="<p><strong>Penulis:</strong></p><p>Ahmad Fauzi</p>"))
    assert item["byline"] == "Ahmad Fauzi" and "Ahmad Fauzi" not in item["body"]


def test_writer_and_editor_credited_on_lines_of_their_own():
    meta = ('<div class="meta">Editor: Rina</div><div class="meta">Reporter: Budi Santoso</div>'
            '<div class="meta">Selasa, 2 Desember 2025 07:30 WIB</div>')
    item = run(article(before=meta))
    assert item["byline"] == "Budi Santoso" and item["authors"] == ["Budi Santoso", "Rina"]


def test_byline_element_near_the_headline_without_label():
    item = run(article(before='<p class="byline">By <a rel="author" href="/a/dewi">Dewi Lestari</a>'
                              ' - Senin, 1 Desember 2025</p>'))
    assert item["byline"] == "Dewi Lestari"
    assert "Dewi" not in item["body"]


@pytest.mark.parametrize(
    ("before", "caption", "credit"),
    [
        ('<figure><img src="/a.jpg"><figcaption>Warga menikmati taman. Foto: Ist Perbesar</figcaption></figure>',
         "Warga menikmati taman.", "Ist"),
        ('<div class="foto"><img src="/a.jpg"></div><p class="caption">Wali Kota meresmikan taman, Senin (1/12/2025).</p>',
         "Wali Kota meresmikan taman, Senin (1/12/2025).", None),
        ('<img src="/a.jpg" title="Suasana taman baru di Cipondoh pada pagi hari">',
         "Suasana taman baru di Cipondoh pada pagi hari", None),
        ('<img src="/a.jpg" alt="Taman Baru Diresmikan">', None, None),  # alt repeating the headline is no caption
    ],
)
def test_caption_sources(before, caption, credit):
    item = run(article(before=before))
    assert item["caption"] == caption
    assert item["images"][0] == {"url": "https://www.prakata.com/a.jpg", "caption": caption,
                                 "credit": credit, "archived": False, "payload_digest": None}
    assert (caption or "Perbesar") not in item["body"]


@pytest.mark.parametrize(
    ("printed", "caption", "credit"),
    [
        ("Vaksinasi campak di Puskesmas Cibodas, Senin (1/12/2025). Foto: Dok. Dinkes Kota Tangerang",
         "Vaksinasi campak di Puskesmas Cibodas, Senin (1/12/2025).", "Dok. Dinkes Kota Tangerang"),
        ("Petugas memeriksa kendaraan, Senin (1/12/2025). (ANTARA/Aditya Pratama)",
         "Petugas memeriksa kendaraan, Senin (1/12/2025).", "ANTARA/Aditya Pratama"),
        ("Warga antre di kantor kecamatan, Rabu (26/11/2025). KOMPAS.com/ACEP NAZMUDIN",
         "Warga antre di kantor kecamatan, Rabu (26/11/2025).", "KOMPAS.com/ACEP NAZMUDIN"),
        ("Wali Kota meninjau lokasi banjir. Foto/Istimewa", "Wali Kota meninjau lokasi banjir.", "Istimewa"),
        ("Foto : Dokumentasi Isty/TVRI. Wali Kota meninjau lokasi banjir.", "Wali Kota meninjau lokasi banjir.",
         "Dokumentasi Isty/TVRI"),
        ("Kepala dinas memberikan keterangan, Selasa (25/11/2025).(foto:shy)",
         "Kepala dinas memberikan keterangan, Selasa (25/11/2025).", "shy"),
        ("Warga antre membeli beras, Senin (1/12/2025)", "Warga antre membeli beras, Senin (1/12/2025)", None),
        ("Ketua DPRD (kiri) berbincang dengan Wali Kota.", "Ketua DPRD (kiri) berbincang dengan Wali Kota.", None),
        ("Wali Kota berbincang dengan Kapolrestabes (kanan)", "Wali Kota berbincang dengan Kapolrestabes (kanan)", None),
        ("Foto udara kawasan banjir di Kampung Melayu, Jakarta Timur",
         "Foto udara kawasan banjir di Kampung Melayu, Jakarta Timur", None),
        ("Dokumentasi kegiatan warga Cipondoh", "Dokumentasi kegiatan warga Cipondoh", None),
        ("Pedagang cabai, Senin (1/12/2025). Harga cabai rawit mencapai Rp80.000/kg",
         "Pedagang cabai, Senin (1/12/2025). Harga cabai rawit mencapai Rp80.000/kg", None),
    ],
)
def test_photo_credit_goes_to_the_image_not_the_caption(printed, caption, credit):
    item = run(article(before=f'<figure><img src="/a.jpg"><figcaption>{printed}</figcaption></figure>'))
    assert (item["caption"], item["images"][0]["credit"]) == (caption, credit)
    assert printed not in item["body"] and caption not in item["body"]


def test_visible_date_in_header_not_dateline_event_date():
    before = '<div class="meta">Selasa, 2 Desember 2025 07:30 WIB</div>'
    assert run(article(before=before))["date_published"] == "2025-12-02T07:30:00+07:00"


def test_url_is_the_last_date_source():
    # No date printed or declared: the URL's month with the dateline's day, when they agree
    assert run(article())["date_published"] == "2025-12-01T00:00:00+07:00"
    assert run(article(), "https://www.prakata.com/2025/11/contoh-berita.html")["date_published"] is None
    assert run(article(), "https://www.prakata.com/read/123/contoh-berita")["date_published"] is None
    assert run(article(), "https://www.example.id/2025/11/28/contoh-berita/")["date_published"] == \
        "2025-11-28T00:00:00+07:00"


def test_relative_date_against_fetch_time_but_meta_wins():
    before = '<span class="date">1 jam yang lalu</span>'
    assert run(article(before=before))["date_published"] == "2025-12-02T08:00:00+07:00"
    head = '<meta property="article:published_time" content="2025-12-02T07:45:00+07:00">'
    assert run(article(before=before, head=head))["date_published"] == "2025-12-02T07:45:00+07:00"


def test_future_date_is_refused():
    head = '<meta property="article:published_time" content="2030-01-01T00:00:00+07:00">'
    assert run(article(head=head), "https://www.prakata.com/read/1/contoh")["date_published"] is None
    # refused, the next source speaks: the URL's month and the dateline's day
    assert run(article(head=head))["date_published"] == "2025-12-01T00:00:00+07:00"


def test_windows_1252_page_decodes():
    html = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
            '<meta property="og:type" content="article"></head><body><article><h1>Café “Baru”</h1>'
            + "".join(f"<p>{p} – kata “dia”.</p>" for p in PARAS) + "</article></body></html>")
    item = run(html.encode("cp1252"))
    assert item["headline"] == "Café “Baru”"
    assert "– kata “dia”." in item["body"]


def test_broken_html_still_reads():
    html = ("<html><head><meta property='og:type' content='article'><title>x</title><body><div><h1>Taman Baru</h1>"
            + "".join(f"<p>{p}" for p in PARAS) + "</td><div class='x>")
    item = run(html.encode())
    assert item["type"] == "article"
    assert item["body"].split("\n\n")[:3] == PARAS


def test_whitespace_normalised_text_verbatim():
    paras = ["Prakata.com –\u00a0Warga\u200b “senang”  sekali &nbsp; dengan taman baru di kota ini yang indah dan bersih."] + PARAS[1:]
    item = run(article(paras=paras))
    assert item["body"].split("\n\n")[0] == "Prakata.com – Warga “senang” sekali dengan taman baru di kota ini yang indah dan bersih."


@pytest.mark.parametrize(
    ("body", "url", "reason"),
    [
        (b"", URL, "empty"),
        (b"\x00\x01\x02\xff" * 100, URL, "not an HTML page"),
        (page("<title>Halaman tidak ditemukan</title>", "<h1>Halaman tidak ditemukan</h1>"), URL, "soft 404"),
        (page("<title>Just a moment...</title>", "<p>Verify you are human. Cloudflare</p>"), URL, "WAF"),
        (article(), "https://www.prakata.com/kategori/pemerintahan?page=2", "not an article"),
        (page('<meta property="og:type" content="website">', "<h1>Redaksi</h1>" + "<p>Alamat redaksi kami di Tangerang. Telepon 021.</p>" * 3),
         "https://www.prakata.com/redaksi", "not an article"),
    ],
)
def test_rejections_carry_a_reason(body, url, reason):
    item = run(body, url)
    assert item["type"] == "rejected"
    assert reason in item["reason"]


@pytest.mark.parametrize("garbage", [b"<", b"<html>", b"<?xml version='1.0'?><rss/>", "ü".encode("utf-16"),
                                     b"<html><body>" + b"<div>" * 5000, b"\xef\xbb\xbf<html></html>"])
def test_never_raises(garbage):
    item = run(garbage)
    assert item["type"] in {"article", "rejected"}


def test_channel_page():
    html = page('<meta property="og:title" content="Prakata.com"><meta property="og:image" content="https://pps.whatsapp.net/v/a.jpg">',
                '<h1><span class="_as2p">Prakata.com</span><img class="_a93a" src="v.png"></h1>'
                '<h5 class="_9vd5 _9scy">Saluran | 1,2 rb pengikut</h5><h5 class="_9vd5">Berita Tangerang terkini</h5>')
    item = run(html, "https://www.whatsapp.com/channel/0029VaPrakataNewsTgr01234")
    assert item == {**item, "type": "whatsapp_channel", "channel_id": "0029VaPrakataNewsTgr01234",
                    "name": "Prakata.com", "followers": 1200, "followers_text": "Saluran | 1,2 rb pengikut",
                    "description": "Berita Tangerang terkini", "verified": True,
                    "image_url": "https://pps.whatsapp.net/v/a.jpg"}


def test_dead_channel_is_rejected():
    item = run(page("<title>WhatsApp</title>", "<h1></h1>"), "https://whatsapp.com/channel/0029VaDeadChannelIdXyz012")
    assert item["type"] == "rejected" and "channel not found" in item["reason"]


def test_a_broken_link_never_costs_the_page():
    paras = PARAS[:2] + [PARAS[2] + ' <a href="http://[broken/">tautan rusak</a>']
    item = run(article(paras=paras, tail='<div class="x"><a href="http://[::1">x</a></div>'))
    assert item["type"] == "article"
    assert item["body"].split("\n\n")[2] == PARAS[2] + " tautan rusak"


def test_a_headline_may_mention_404():
    head = "<title>Polisi Amankan 404 Motor Curian - Prakata.com | Kata-kata Dalam Berita</title>"
    item = run(article(head=head))
    assert item["type"] == "article"


def test_later_pages_of_a_multi_page_article_are_not_articles():
    item = run(article(), URL + "?page=2")
    assert item["type"] == "rejected" and "page 2 of a multi-page article" in item["reason"]
    assert run(article(), URL + "?page=1")["type"] == "article"
    assert run(article(), URL + "?page=all")["type"] == "article"


TOKEN = "tRbFFwIJXCPvDkjdZ6hw7BrVzKSmv3z6tIDMFXHn"


@pytest.mark.parametrize("head", [f'<meta name="csrf-token" content="{TOKEN}">', ""])
def test_a_session_token_printed_by_the_headline_is_not_article_text(head):
    """The real page shows its CSRF token as text near the title (seed text, line 2); it
    changes on every request, so it must stay out of the item (with or without the meta)."""
    item = run(article(before=f"<span>{TOKEN}</span>", paras=[TOKEN, *PARAS], head=head))
    assert item["type"] == "article"
    assert TOKEN not in json.dumps(item)
    assert item["body"].split("\n\n") == PARAS


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_pages_read_as_their_utf8_twin(codec):
    utf8 = article(paras=[p.replace("taman", "taman “hijau”") for p in PARAS])
    text = utf8.decode().replace('charset="utf-8"', f'charset="{codec}"')
    wide = text.encode(codec)
    content_type = None if codec in {"utf-16", "utf-32"} else f"text/html; charset={codec}"
    item, twin = run(wide, content_type=content_type), run(utf8)
    assert item["type"] == "article", item
    assert item["body"] == twin["body"] and item["headline"] == twin["headline"]


def test_a_page_of_hundreds_of_thousands_of_elements_is_rejected_not_ground_through():
    item = run(b"<html><body>" + b"<p>x</p>" * 60_000 + b"</body></html>")
    assert item["type"] == "rejected"
    assert item["reason"].startswith("too many elements")


FIXTURES_DIR = __import__("pathlib").Path(__file__).resolve().parents[1] / "fixtures"
LISTING_ROUTES = [(route["path"], route["file"]) for route in json.loads(
    (FIXTURES_DIR / "routes.json").read_text())["routes"]
    if route.get("host") == "site" and str(route.get("file", "")).endswith(".html")
    and not any(part in route["path"] for part in ("/20", "/read/", "/amp/", "/opini/"))]


@pytest.mark.parametrize(("path", "file"), LISTING_ROUTES, ids=[p for p, _ in LISTING_ROUTES])
def test_fixture_world_listing_and_static_pages_are_not_articles(path, file):
    """Home, section (and its later pages), tag, search, redaksi and login pages: never
    articles, each with its reason; judged on the page alone too, at a URL that says
    nothing, except the editorial-board page: prose, known as static by its URL only."""
    body = (FIXTURES_DIR / file).read_bytes()
    urls = [f"https://www.prakata.com{path}"] + ([] if path == "/redaksi" else ["http://127.0.0.1:8000/x"])
    for url in urls:
        item = run(body, url)
        assert item["type"] == "rejected" and item["reason"], (url, item.get("headline"))


def test_list_article_items_with_linked_headings_are_its_text():
    """Cards between the paragraphs of a list article are its text, not teasers set aside;
    a rail of cards beside it still is."""
    items = "".join(
        f'<div class="item"><h3><a href="https://www.example.id/pantai-{n}">Pantai {name}</a></h3>'
        f"<p>Pantai {name} menawarkan pasir putih, ombak yang tenang dan warung ikan bakar yang "
        f"ramai dikunjungi wisatawan setiap akhir pekan dari Bandung dan sekitarnya.</p></div>"
        for n, name in enumerate(["Santolo", "Sayang Heulang", "Rancabuaya", "Cijeruk", "Karang Paranje"]))
    rail = "".join(f'<div class="card"><h3><a href="/2025/12/lain-{n}.html">Berita lain nomor {n} hari ini</a></h3>'
                   f"<p>Ringkasan berita lain nomor {n}.</p></div>" for n in range(4))
    html = page('<meta property="og:type" content="article">',
                "<main><article><h1>Lima Pantai Indah di Garut</h1><div class='isi'>"
                "<p>Garut punya garis pantai panjang di selatan Jawa Barat yang belum banyak dikenal wisatawan luar daerah.</p>"
                f"{items}</div></article><div class='rail'>{rail}</div></main>")
    item = run(html)
    assert all(f"Pantai {name} menawarkan" in item["body"] for name in ["Santolo", "Cijeruk"])
    assert "Berita lain" not in item["body"] and "Ringkasan" not in item["body"]


def test_a_list_announced_by_the_last_sentence_stays_in_the_body():
    lines = ["Beras medium Rp12.500 per kilogram", "Cabai rawit merah Rp80.000 per kilogram",
             "Bawang merah Rp38.000 per kilogram", "Minyak goreng curah Rp17.000 per liter"]
    extra = "<p>Berikut daftar harga bahan pokok di Pasar Anyar hari ini:</p>" + "".join(f"<p>{x}</p>" for x in lines)
    body = run(article(extra_body=extra))["body"].split("\n\n")
    assert body[-5:] == ["Berikut daftar harga bahan pokok di Pasar Anyar hari ini:", *lines]


@pytest.mark.parametrize("title", ["Warta Kita", "Warta Kita | Berita Terkini Jawa Barat"])
def test_a_title_that_is_the_site_name_or_tagline_is_not_the_headline(title):
    html = page(f'<title>{title}</title><meta property="og:site_name" content="Warta Kita">',
                "<main><article><h1>Banjir Melanda Kota Bandung Hari Ini</h1><div class='isi'>"
                + "".join(f"<p>{p}</p>" for p in PARAS) + "</div></article></main>")
    assert run(html)["headline"] == "Banjir Melanda Kota Bandung Hari Ini"


def test_writer_whose_name_begins_the_editors_name_stays_an_author():
    item = run(article(extra_body="<p>Penulis: Rina | Editor: Rinaldi</p>"))
    assert item["byline"] == "Rina" and item["authors"] == ["Rina", "Rinaldi"]
