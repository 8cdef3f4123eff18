import pytest

from prakata_crawler.extract.byline import (
    is_labelled_credit,
    merge_authors,
    parse_credit,
    split_trailing_credit,
)


@pytest.mark.parametrize(
    ("paragraph", "text", "credit"),
    [
        ('"Mari jaga kebersamaan," pungkasnya. (Rtm)', '"Mari jaga kebersamaan," pungkasnya.', "Rtm"),
        ("Acara berjalan lancar. (rls/zky)", "Acara berjalan lancar.", "rls/zky"),
        ("kata dia, ujarnya.(Den)", "kata dia, ujarnya.", "Den"),
        ("Demikian disampaikan. (RAZ/RAC)", "Demikian disampaikan.", "RAZ/RAC"),
        ("Acara selesai.***", "Acara selesai.", None),
        ("Ratusan Aparatur Sipil Negara (ASN) hadir.", "Ratusan Aparatur Sipil Negara (ASN) hadir.",
         None),
        ("Upacara diikuti anggota Korps Pegawai (KORPRI)", "Upacara diikuti anggota Korps Pegawai (KORPRI)",
         None),
        ("Warga berusia 45 tahun itu selamat. (45)", "Warga berusia 45 tahun itu selamat. (45)", None),
    ],
)
def test_trailing_credit(paragraph, text, credit):
    assert split_trailing_credit(paragraph) == (text, credit)


@pytest.mark.parametrize(
    ("credit", "names"),
    [
        ("Rtm", ["Rtm"]),
        ("rls/zky", ["rls", "zky"]),
        ("Penulis: Ahmad Fauzi | Editor: Budi Santoso", ["Ahmad Fauzi", "Budi Santoso"]),
        ("Laporan Wartawan TribunBanten.com, Rizki", ["Rizki"]),
        ("By Redaksi On Senin, Desember 29, 2025", ["Redaksi"]),
        ("Editor: Dewi", ["Dewi"]),
    ],
)
def test_names_from_credit(credit, names):
    assert parse_credit(credit).names == names


def test_structured_author_comes_first_once():
    assert merge_authors(["Ahmad Fauzi"], ["ahmad fauzi", "Rtm"]) == ["Ahmad Fauzi", "Rtm"]
    assert merge_authors(["Ahmad Fauzi"], ["Rtm"]) == ["Ahmad Fauzi", "Rtm"]


@pytest.mark.parametrize(
    "sentence",
    ["Laporan itu diserahkan kepada Wali Kota pada Senin pagi di Balai Kota.",
     "Wartawan yang meliput di lokasi dihalangi petugas.",
     "Reporter TVRI juga hadir di lokasi.",
     "Jurnalis senior itu meninggal dunia pada usia 70 tahun.",
     "Oleh Kapolres, para pelaku langsung dibawa ke Mapolres.",
     "By the end of the year, prices rose."],
)
def test_a_sentence_starting_with_a_credit_word_is_no_credit(sentence):
    assert not is_labelled_credit(sentence)


@pytest.mark.parametrize(
    "credit",
    ["Penulis: Ahmad Fauzi | Editor: Budi Santoso", "Penulis Ahmad Fauzi", "Oleh Yanto",
     "By Redaksi On Senin, Desember 29, 2025", "Jurnalis-Rina Anggraeni", "Laporan: Yusuf Maulana",
     "Laporan Wartawan TribunBanten.com, Rizki Maulana", "Oleh Rina Marlina, Senin, 1 Desember 2025 | 10:15 WIB"],
)
def test_credits_with_or_without_a_colon(credit):
    assert is_labelled_credit(credit)


def test_a_sentence_in_the_body_stays_body_and_is_not_the_byline():
    from datetime import datetime

    from prakata_crawler import extract
    from prakata_crawler.extract.dates import WIB

    paras = ["Pemerintah Kota Tangerang menerima laporan hasil audit keuangan daerah tahun anggaran 2024 dari BPK.",
             "Laporan itu diserahkan kepada Wali Kota pada Senin pagi di Balai Kota bersama kepala dinas terkait.",
             "Wali Kota berjanji menindaklanjuti seluruh catatan dalam laporan tersebut sebelum akhir tahun ini."]
    html = ("<html><head><meta property='og:type' content='article'>"
            "<meta name='author' content='Ani Lestari'></head><body><article><h1>Audit BPK</h1>"
            + "".join(f"<p>{p}</p>" for p in paras) + "</article></body></html>").encode()
    item = extract(html, "https://www.prakata.com/2025/12/audit.html",
                   fetched_at=datetime(2025, 12, 2, tzinfo=WIB))
    assert item["byline"] == "Ani Lestari"
    assert item["body"].split("\n\n") == paras


def test_initials_of_a_credited_name_are_not_listed_twice_but_a_shorter_name_is_a_name():
    from prakata_crawler.extract.byline import abbreviates

    assert abbreviates("bs", "Budi Santoso") and abbreviates("Red", "Redaksi")
    assert not abbreviates("Rina", "Rinaldi") and not abbreviates("Adi", "Adinda")
