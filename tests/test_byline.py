import pytest

from prakata_crawler.extract.byline import merge_authors, names_from_credit, split_trailing_credit


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
    assert names_from_credit(credit) == names


def test_structured_author_comes_first_once():
    assert merge_authors(["Ahmad Fauzi"], ["ahmad fauzi", "Rtm"]) == ["Ahmad Fauzi", "Rtm"]
    assert merge_authors(["Ahmad Fauzi"], ["Rtm"]) == ["Ahmad Fauzi", "Rtm"]
