from datetime import datetime

import pytest

from prakata_crawler.extract.dates import WIB, parse_date, to_iso

NOW = datetime(2025, 12, 2, 9, 0, tzinfo=WIB)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Senin, 1 Desember 2025 10:15 WIB", "2025-12-01T10:15:00+07:00"),
        ("27/11/2025 08:05", "2025-11-27T08:05:00+07:00"),
        ("27 Nov 2025, 14:30 WIB", "2025-11-27T14:30:00+07:00"),
        ("1 jam yang lalu", "2025-12-02T08:00:00+07:00"),
        ("30 menit lalu", "2025-12-02T08:30:00+07:00"),
        ("2025-12-01T03:15:00Z", "2025-12-01T10:15:00+07:00"),
        ("2025-12-01T10:15:00+07:00", "2025-12-01T10:15:00+07:00"),
        ("2025-12-01 10:15:00", "2025-12-01T10:15:00+07:00"),  # naive ISO means WIB
        ("2019-09-28WIB19:17:34+07:00", "2019-09-28T19:17:34+07:00"),
        ("Senin, Desember 29, 2024", "2024-12-29T00:00:00+07:00"),  # Blogger, month first
        ("Kompas.com - 27/11/2025, 08:05 WIB", "2025-11-27T08:05:00+07:00"),
        ("Diperbarui 27/11/2025, 10:00 WIB", "2025-11-27T10:00:00+07:00"),
        ("Selasa, 28 Nop 2025 17:02", "2025-11-28T17:02:00+07:00"),  # old abbreviation
        ("Jum'at, 28 November 2025 - 08:05 WIB", "2025-11-28T08:05:00+07:00"),
        ("Rabu, 19 Nov 2025 | 22:20", "2025-11-19T22:20:00+07:00"),
        ("19 Nov 2025 10.15 WIB", "2025-11-19T10:15:00+07:00"),  # dot time
        ("20 Nov 2025 10:15 WITA", "2025-11-20T09:15:00+07:00"),
        ("12/01/25", "2025-01-12T00:00:00+07:00"),  # two-digit year, day first
        ("kemarin", "2025-12-01T09:00:00+07:00"),  # dateparser fallback, Indonesian
        ("1 Desember 2025 pukul 10.15 WIB", "2025-12-01T10:15:00+07:00"),
        ("10:15 WIB, 1 Desember 2025", "2025-12-01T10:15:00+07:00"),  # time before date
        ("Nov 27, 2025 2:30 PM", "2025-11-27T14:30:00+07:00"),
        ("27/11/2025 12:05 AM", "2025-11-27T00:05:00+07:00"),
    ],
)
def test_printed_forms(text, expected):
    moment = parse_date(text, NOW)
    assert moment is not None, text
    assert to_iso(moment) == expected


@pytest.mark.parametrize("text", ["", "hello", "Rabu, 3 Des 2025 | 14:00 WIB", "31/02/2025",
                                  "Halaman 1/2", "1899-01-01"])
def test_not_a_date_or_future(text):
    assert parse_date(text, NOW) is None
