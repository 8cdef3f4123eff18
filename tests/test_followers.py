import pytest

from prakata_crawler.extract.channel import parse_followers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Saluran | 1,2 rb pengikut", 1200),
        ("1,2 rb pengikut", 1200),
        ("Channel | 12.5K followers", 12500),
        ("3 jt pengikut", 3_000_000),
        ("3 jt", 3_000_000),
        ("1,5 M pengikut", 1_500_000_000),  # Indonesian M is miliar
        ("1.5M followers", 1_500_000),  # English M is million
        ("7.648 pengikut", 7648),  # Indonesian thousands dot, exact
        ("7,648 followers", 7648),
        ("950 followers", 950),
        ("Saluran | 12 rb pengikut", 12000),
    ],
)
def test_follower_forms(text, expected):
    assert parse_followers(text) == expected


@pytest.mark.parametrize("text", [None, "", "no count here", "12 zz pengikut"])
def test_unreadable_counts_are_none(text):
    assert parse_followers(text) is None
