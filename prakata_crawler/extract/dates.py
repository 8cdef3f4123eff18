"""Dates as Indonesian news pages print them, to ISO 8601 in Asia/Jakarta.

A regex fast path handles ISO, D/M/Y, day-month-year and month-first (Blogger) forms and
relative phrases; dateparser, fixed to Indonesian (auto-detection is ~1000x slower), is the
fallback. Numeric dates are always day first on these sites.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from functools import lru_cache

WIB = timezone(timedelta(hours=7), "WIB")
ZONES = {"WIB": 7, "WITA": 8, "WIT": 9, "UTC": 0, "GMT": 0, "Z": 0}

MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "feb": 2, "peb": 2, "pebruari": 2, "february": 2,
    "maret": 3, "mar": 3, "mrt": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "ag": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11, "nop": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_TIME = (r"(?:[\s,|–—-]{0,4}(?:(?:pukul|pkl\.?|jam|at)\s*)?(?P<H>\d{1,2})[:.](?P<M>\d{2})"
         r"(?:[:.](?P<S>\d{2}))?(?:\s*(?P<ampm>[AaPp]\.?[Mm]\.?)(?![A-Za-z]))?)?")
_ZONE = r"(?:\s*(?P<Z>WIB|WITA|WIT)\b)?"
# A time printed apart from its date ("10:15 WIB, 1 Desember 2025").
LONE_TIME = re.compile(r"(?<![\d/.:])(?P<H>\d{1,2})[:.](?P<M>\d{2})(?::(?P<S>\d{2}))?"
                       r"(?:\s*(?P<ampm>[AaPp]\.?[Mm]\.?)(?![A-Za-z]))?(?:\s*(?P<Z>WIB|WITA|WIT)\b)?"
                       r"(?![\d/.])")

ISO_RE = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
    r"(?:[T ]?(?:WIB|WITA|WIT)?(?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?)?"
    r"\s*(?P<off>Z|[+-]\d{2}:?\d{2}|WIB|WITA|WIT)?"
)
DMY_RE = re.compile(
    r"(?<![\d/])(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4}|\d{2})(?![\d/])"
    + _TIME + _ZONE
)
DAY_MONTH_RE = re.compile(
    r"(?<!\d)(?P<d>\d{1,2})\s+(?P<mon>" + _MONTH + r")\.?,?\s+(?P<y>\d{4})(?!\d)" + _TIME + _ZONE,
    re.I,
)
MONTH_DAY_RE = re.compile(
    r"\b(?P<mon>" + _MONTH + r")\.?\s+(?P<d>\d{1,2}),?\s+(?P<y>\d{4})(?!\d)" + _TIME + _ZONE, re.I
)
RELATIVE_RE = re.compile(
    r"(?P<n>\d+|se)\s*(?P<unit>detik|menit|jam|hari|minggu|pekan|bulan|tahun|"
    r"seconds?|minutes?|mins?|hours?|days?|weeks?|months?|years?)\s+(?:yang\s+)?(?:lalu|ago)\b",
    re.I,
)
_UNITS = {
    "detik": 1, "second": 1, "menit": 60, "minute": 60, "min": 60, "jam": 3600, "hour": 3600,
    "hari": 86400, "day": 86400, "minggu": 604800, "pekan": 604800, "week": 604800,
    "bulan": 30 * 86400, "month": 30 * 86400, "tahun": 365 * 86400, "year": 365 * 86400,
}
_LEADING_WORDS = re.compile(
    r"^\s*(?:diperbarui|diupdate|update[d]?|dipublikasikan|diterbitkan|published|posted|tayang|"
    r"terbit|dibuat|pada|on)\s*:?\s*", re.I
)


def to_iso(moment: datetime) -> str:
    """ISO 8601 with seconds and the +07:00 offset of Asia/Jakarta."""
    return moment.astimezone(WIB).replace(microsecond=0).isoformat()


def _build(y: str, m: int, d: str, hh, mm, ss, zone: str | None) -> datetime | None:
    year = int(y)
    if year < 100:
        year += 2000
    offset = timedelta(hours=ZONES.get((zone or "WIB").upper(), 7))
    try:
        return datetime(year, m, int(d), int(hh or 0), int(mm or 0), int(ss or 0),
                        tzinfo=timezone(offset))
    except ValueError:
        return None


def _parse_iso(match: re.Match) -> datetime | None:
    off = match.group("off")
    if off and off[0] in "+-":
        sign = 1 if off[0] == "+" else -1
        digits = off[1:].replace(":", "")
        try:  # "+99:00" is in no time zone: not a date, whatever the rest says
            tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
            return datetime(int(match["y"]), int(match["m"]), int(match["d"]),
                            int(match["H"] or 0), int(match["M"] or 0), int(match["S"] or 0),
                            tzinfo=tz)
        except ValueError:
            return None
    return _build(match["y"], int(match["m"]), match["d"], match["H"], match["M"], match["S"], off)


def _hour(match: re.Match) -> str | None:
    """The 24-hour hour of a matched time, honouring AM/PM."""
    hour = match["H"]
    ampm = (match.groupdict().get("ampm") or "").lower().replace(".", "")
    if hour is None or not ampm:
        return hour
    value = int(hour) % 12 + (12 if ampm == "pm" else 0)
    return str(value)


def _with_time(text: str, match: re.Match, y: str, m: int, d: str) -> datetime | None:
    hour, minute, second, zone = _hour(match), match["M"], match["S"], match["Z"]
    if hour is None:  # the time may stand apart from the date
        rest = text[: match.start()] + " " * (match.end() - match.start()) + text[match.end():]
        alone = LONE_TIME.search(rest)
        if alone:
            hour, minute, second = _hour(alone), alone["M"], alone["S"]
            zone = zone or alone["Z"]
    return _build(y, m, d, hour, minute, second, zone)


def fast_parse(text: str, now: datetime | None = None) -> datetime | None:
    """The regex fast path; None when no known form is found in ``text``."""
    match = ISO_RE.search(text)
    if match:
        return _parse_iso(match)
    for regex in (DAY_MONTH_RE, MONTH_DAY_RE):
        match = regex.search(text)
        if match:
            return _with_time(text, match, match["y"], MONTHS[match["mon"].lower()], match["d"])
    match = DMY_RE.search(text)
    if match and 1 <= int(match["m"]) <= 12:
        return _with_time(text, match, match["y"], int(match["m"]), match["d"])
    match = RELATIVE_RE.search(text)
    if match:
        count = 1 if match["n"].lower() == "se" else int(match["n"])
        unit = match["unit"].lower()
        seconds = _UNITS.get(unit) or _UNITS.get(unit.rstrip("s"))
        if seconds:
            try:  # "740000 hari lalu" lies before year 1
                return (now or datetime.now(WIB)) - timedelta(seconds=count * seconds)
            except OverflowError:
                return None
    return None


@lru_cache(maxsize=1)
def _dateparser():
    import dateparser  # imported lazily: 0.1 s and a locale load most pages never need

    return dateparser


def parse_date(text: str | None, now: datetime | None = None) -> datetime | None:
    """Parse a printed date; None if it is not a date or lies in the future of ``now``."""
    if not text:
        return None
    text = _LEADING_WORDS.sub("", text.strip())
    if not re.search(r"\d|kemarin|yesterday", text, re.I):
        return None
    now = now or datetime.now(WIB)
    moment = fast_parse(text, now)
    if moment is None and len(text) <= 80:
        settings = {
            "DATE_ORDER": "DMY",
            "TIMEZONE": "Asia/Jakarta",
            "RETURN_AS_TIMEZONE_AWARE": True,
            "PREFER_DATES_FROM": "past",
            "RELATIVE_BASE": now.astimezone(WIB).replace(tzinfo=None),
            "REQUIRE_PARTS": ["day", "month", "year"],
        }
        try:
            moment = _dateparser().parse(text, languages=["id"], settings=settings)
        except Exception:  # dateparser raises assorted errors on odd input
            moment = None
    if moment is None or moment > now + timedelta(minutes=5):
        return None
    if moment.year < 1990:
        return None
    return moment
