"""Credits: trailing initials ``(Rtm)``, labelled lines ``Penulis: X | Editor: Y`` and names.

Initials count only at the very end of the last paragraph, after sentence punctuation, so
acronyms inside sentences such as "(ASN)" or "(KORPRI)" are never taken for a byline.
"""

from __future__ import annotations

import re

from .text import dedupe, norm

TRAILING_INITIALS = re.compile(
    r"(?:(?<=[.!?\"”’'…)\]])|^)\s*\(\s*(?P<credit>[A-Za-z*][\w.*' ]{0,30}?"
    r"(?:\s*/\s*[\w.*' ]{1,30}?)*)\s*\)\s*$"
)
TRAILING_MARK = re.compile(r"(?:(?<=[.!?\"”’'…])|^)\s*(?:\*{3}|\(\*\)|\*[A-Za-z]{2,5})\s*$")
LABEL_WORDS = (r"penulis|editor|redaktur|reporter|pewarta|wartawan|jurnalis|kontributor|fotografer|"
               r"sumber|oleh|laporan\s+wartawan\s+[\w.]+|by")
LABELLED_LINE = re.compile(rf"^\s*(?:{LABEL_WORDS})\b\s*[:,]?\s*\S", re.I)
_LABEL_SPLIT = re.compile(rf"(?:^|\s*[|•,;]\s*|\s+)(?:{LABEL_WORDS})\b\s*[:,-]?\s*", re.I)
_NOT_NAME = re.compile(r"\d|https?:|www\.|\bon\b|\bpada\b", re.I)


def split_trailing_credit(text: str) -> tuple[str, str | None]:
    """Cut a trailing ``(Rtm)``-style credit off the last paragraph: ``(text, credit)``."""
    match = TRAILING_INITIALS.search(text)
    if match and not re.fullmatch(r"\d+|[ivxlc]+", match["credit"].strip(), re.I):
        return text[: match.start()].rstrip(), norm(match["credit"])
    match = TRAILING_MARK.search(text)
    if match:
        return text[: match.start()].rstrip(), None
    return text, None


COPYRIGHT = re.compile(r"\s*(?:copyright\b|©|\(c\)\s*\d{4}|hak\s+cipta\b).*$", re.I)


def is_labelled_credit(text: str) -> bool:
    """A short labelled line (``Penulis: X | Editor: Y``), not a sentence that happens to
    start with such a word (an author bio: "Jurnalis Suara Tangerang yang meliput ...")."""
    if not LABELLED_LINE.match(text):  # cutting a copyright tail cannot make it match
        return False
    text = COPYRIGHT.sub("", text)
    return (len(text) <= 160 and bool(LABELLED_LINE.match(text))
            and (len(text.split()) <= 10 or "|" in text))


def names_from_credit(credit: str) -> list[str]:
    """Names or initials in a printed credit, in order (``rls/zky`` -> rls, zky)."""
    credit = COPYRIGHT.sub("", credit)
    if LABELLED_LINE.match(credit):
        parts = [p for p in _LABEL_SPLIT.split(credit) if p]
    else:
        parts = [credit]
    names: list[str] = []
    for part in parts:
        part = re.split(r"\s+(?:on|pada)\s+|\s*[·•|]\s*", part, maxsplit=1, flags=re.I)[0]
        for name in re.split(r"\s*[/|]\s*|\s*,\s*|\s+(?:dan|and|&)\s+", part):
            name = norm(name.strip(" -–—:.()*"))
            if name and not _NOT_NAME.search(name) and len(name) <= 60:
                names.append(name)
    return dedupe(names)


def merge_authors(structured: list[str], printed: list[str]) -> list[str]:
    """Author first, editor after: structured Person names lead when not printed already."""
    lowered = {s.lower() for s in structured}
    return dedupe(structured + [p for p in printed if p.lower() not in lowered])


_WEEKDAY = r"(?:senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|ahad)\b"
_DATE_START = re.compile(rf"\s+(?:on|pada)\s+|\s*[·•]\s*|\s*[|,]\s*(?={_WEEKDAY}|\d)|"
                         rf"\s+(?={_WEEKDAY},)", re.I)


def header_credit(text: str) -> str:
    """A credit printed in the article header, without the date that shares its line and
    without a leading "Oleh"/"By" (a preposition, not a label)."""
    text = _DATE_START.split(text, maxsplit=1)[0]
    return norm(re.sub(r"^(?:oleh|by)\b\s*:?\s*", "", text, flags=re.I))
