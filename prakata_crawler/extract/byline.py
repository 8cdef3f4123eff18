"""Credits: who wrote the article, as printed, names only.

Sources in the order ``article.py`` asks them: labelled lines in the body or around the
headline (``Penulis: A | Editor: B``, ``Laporan: C``), initials closing the last paragraph
(``(Rtm)``), structured data (JSON-LD ``author``, ``meta[name=author]``), then a byline
element near the headline (``rel=author``, ``itemprop=author``, ``.byline``, ``.author``).

The field conventions: ``byline`` is the writer's credit without its label, brackets or
date (``(rls/zky)`` -> ``rls/zky``; ``Penulis: A | Editor: B`` -> ``A``; ``Oleh: A dan B``
-> ``A dan B``; an editor alone -> the editor); ``authors`` lists every credited name,
writers first, editors after. Initials count only at the very end of the last paragraph,
after sentence punctuation, so acronyms inside sentences such as "(ASN)" are never taken
for a byline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .text import dedupe, norm, text_of

# Name segments hold no spaces at their edges, so the spaces around "/" belong to one place
# only (a class with spaces on both sides backtracked exponentially on "(A / B / ... / Z)").
TRAILING_INITIALS = re.compile(
    r"(?:(?<=[.!?\"”’'…)\]])|^)\s*\(\s*(?P<credit>[A-Za-z*][\w.*']*(?: +[\w.*']+)*"
    r"(?:\s*/\s*[\w.*']+(?: +[\w.*']+)*)*)\s*\)\s*$"
)
_MAX_INITIALS = 30  # per name; reporter / editor / one more: a longer list is a clause
TRAILING_MARK = re.compile(r"(?:(?<=[.!?\"”’'…])|^)\s*(?:\*{3}|\(\*\)|\*[A-Za-z]{2,5})\s*$")
_WRITER = (r"penulis|reporter|pewarta|wartawan|jurnalis|kontributor|koresponden|"
           r"laporan\s+wartawan\s+[\w.]+|laporan|ditulis\s+oleh|oleh|written\s+by|by|von|par|por")
_EDITOR = r"editor|redaktur|penyunting|edited\s+by"
_OTHER = r"fotografer|foto|sumber|source"
LABEL_WORDS = rf"{_WRITER}|{_EDITOR}|{_OTHER}"
_LABEL = re.compile(rf"(?:^|(?<=[\s|•,;/]))(?P<label>{LABEL_WORDS})\b\s*[:,]?\s*-?\s*", re.I)
_ROLES = ((re.compile(rf"^(?:{_WRITER})$", re.I), "writer"),
          (re.compile(rf"^(?:{_EDITOR})$", re.I), "editor"))
_NOT_NAME = re.compile(r"\d|https?:|www\.|\bon\b|\bpada\b|@", re.I)
_WEEKDAY = r"(?:senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|ahad)\b"
_MONTH = (r"(?:jan|feb|mar|apr|ap[rl]|mei|may|jun|jul|agu|ags|aug|sep|okt|oct|nov|des|dec)"
          r"[a-z]*\.?\s+\d")
# Where a credit's name ends: a date, "on ...", a bullet, " - " before a date or a site.
_NAME_END = re.compile(
    rf"\s+(?:on|pada|updated|diperbarui)\s+|\s*[·•|]\s*|\s+[-–—]\s+|\s*,\s*(?={_WEEKDAY}|\d)|"
    rf"\s+(?={_WEEKDAY}[, ])|\s+(?=\d{{1,2}}[./-]\d)|\s+(?={_MONTH})|\s*@\w|\s+\d+\s*(?:jam|menit|"
    rf"hours?|minutes?|days?|hari)\b|\s+(?:ago|yang lalu|lalu)\b", re.I)
_SPLIT_NAMES = re.compile(r"\s*/\s*|\s*,\s*|\s+(?:dan|and|und|et|y|&)\s+", re.I)
# "By A, Senior Staff Technologist, ACLU": the name ends where a job title starts.
_ROLE_AFTER = re.compile(r"\s*,\s*(?=[^,]*\b(?:senior|staff|reporter|correspondent|editor|"
                         r"writer|columnist|contributor|producer|technologist|analyst|director|"
                         r"fellow|professor|journalist|wartawan|koresponden)\b)", re.I)


@dataclass
class Credit:
    """A parsed credit: the byline as the field wants it and the names it holds."""

    byline: str | None
    writers: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return dedupe(self.writers + self.editors)


def split_trailing_credit(text: str) -> tuple[str, str | None]:
    """Cut a trailing ``(Rtm)``-style credit off the last paragraph: ``(text, credit)``."""
    match = TRAILING_INITIALS.search(text)
    parts = match["credit"].split("/") if match else []
    if match and not re.fullmatch(r"\d+|[ivxlc]+", match["credit"].strip(), re.I) and len(
            parts) <= 3 and all(len(part.strip()) <= _MAX_INITIALS for part in parts):
        return text[: match.start()].rstrip(), norm(match["credit"])
    match = TRAILING_MARK.search(text)
    if match:
        return text[: match.start()].rstrip(), None
    return text, None


COPYRIGHT = re.compile(r"\s*(?:copyright\b|©|\(c\)\s*\d{4}|hak\s+cipta\b).*$", re.I)


def is_labelled_credit(text: str) -> bool:
    """A short labelled line (``Penulis: X | Editor: Y``, ``Oleh Rina, Senin ...``), not a
    sentence that happens to start with such a word ("Laporan itu diserahkan kepada ...",
    "Reporter TVRI juga hadir.", "Jurnalis senior itu ...", "By the end of the year ...").
    Without a ":", "|", "-" or "," after the label, what follows must read as names."""
    start = _CREDIT_START.match(text)
    if not start:
        return False
    text = COPYRIGHT.sub("", text)
    byline = parse_credit(text).byline if len(text) <= 160 else None
    if byline is None:
        return len(text.split()) <= 3  # a bare "Penulis:"; its name follows (article.py)
    if not start.group("sep") and not _reads_as_names(byline):
        return False
    return len(byline.split()) <= 8


def _reads_as_names(text: str) -> bool:
    """Capitalised words, initials or particles: no function word, no clause."""
    words = re.findall(r"[\w'’.-]+", text)
    return bool(words) and all(
        word.lower() in _PARTICLES or word[:1].isupper() or (word.islower() and len(word) <= 4
                                                             and word.lower() not in _FUNCTION)
        for word in words) and not any(word.lower() in _FUNCTION for word in words)


_CREDIT_START = re.compile(rf"^\s*(?:{_WRITER}|{_EDITOR})\b(?P<sep>\s*[:|,–—-])?", re.I)
_PARTICLES = frozenset({"bin", "binti", "de", "van", "von", "der", "den", "del", "la", "le",
                        "al", "el", "dan", "and", "&"})
_FUNCTION = frozenset({
    "yang", "itu", "ini", "tersebut", "di", "ke", "dari", "kepada", "juga", "adalah", "akan",
    "telah", "sudah", "untuk", "dengan", "pada", "para", "dalam", "tidak", "bisa", "harus",
    "the", "of", "to", "a", "an", "is", "was", "in", "on", "at", "for", "this", "that", "with"})


def parse_credit(text: str) -> Credit:
    """Names and byline of a printed credit, labelled or not: the part before any label
    and the parts after writer labels are the writers, editor labels the editors."""
    text = norm(COPYRIGHT.sub("", text)).strip(" ()[]")
    labels = list(_LABEL.finditer(text))
    first = labels[0].start() if labels else len(text)
    segments = [("writer", text[:first])] if text[:first].strip(" |•,;:-–—/") else []
    for i, match in enumerate(labels):
        end = labels[i + 1].start() if i + 1 < len(labels) else len(text)
        segments.append((_role(match["label"]), text[match.end():end]))
    writers, editors, printed = [], [], []
    for role, value in segments:
        value = _NAME_END.split(value.strip(" |•,;:-–—/"), maxsplit=1)[0]
        value = _ROLE_AFTER.split(value, maxsplit=1)[0].strip(" |•,;:-–—(")
        names = _names(value)
        if not names:
            continue
        if role == "writer":
            writers += names
            printed.append(value)
        elif role == "editor":
            editors += names
    byline = " / ".join(printed) if printed else (", ".join(editors) or None)
    return Credit(byline=byline, writers=dedupe(writers), editors=dedupe(editors))


def _role(label: str) -> str:
    for pattern, role in _ROLES:
        if pattern.match(norm(label)):
            return role
    return "other"


def _names(value: str) -> list[str]:
    names = []
    for name in _SPLIT_NAMES.split(value):
        name = norm(name.strip(" -–—:.()*\"'"))
        if name and not _NOT_NAME.search(name) and len(name) <= 60:
            names.append(name)
    return dedupe(names)


# Clipped forms portals close articles with, for the names they stand for.
_CLIPPED = {"red": "redaksi", "ant": "antara", "rls": "rilis"}


def abbreviates(short: str, name: str) -> bool:
    """``short`` is the initials of ``name`` (``bs`` for Budi Santoso) or a known clipped
    form of it (``Red`` for Redaksi); never just a shorter name (Rina is not Rinaldi)."""
    low, words = short.lower(), name.lower().split()
    if " " in short or len(short) > 5 or low == name.lower():
        return False
    return (len(words) >= 2 and low == "".join(word[0] for word in words)) or (
        _CLIPPED.get(low) == name.lower())


def merge_authors(structured: list[str], printed: list[str]) -> list[str]:
    """Author first, editor after: structured Person names lead when not printed already."""
    lowered = {s.lower() for s in structured}
    return dedupe(structured + [p for p in printed if p.lower() not in lowered])


_AUTHOR_HINT = re.compile(r"author|byline|penulis|reporter|writer|creator|journalist|autor|"
                          r"auteur|wartawan|pewarta", re.I)
_NOT_AUTHOR = re.compile(r"comment|avatar|bio\b|box|social|share|follow|photo|image|img|thumb|"
                         r"date|time|more|tab|widget|list|related|title|desc|about|sidebar", re.I)


def byline_element_text(region, headline_el, exclude=frozenset()) -> str | None:
    """The text of the byline element nearest after the headline (``rel=author``,
    ``itemprop=author``, a class or id naming the author or byline; else the first one
    before it), its most specific part when it nests one (``.byline > a.author``)."""
    found = before = None
    started = headline_el is None
    for el in region.iter():
        if el is headline_el:
            started = True
        elif isinstance(el.tag, str) and el not in exclude and _names_author(el):
            if started:
                found = el
                break
            before = before if before is not None else el
    found = found if found is not None else before
    if found is None:
        return None
    inner = [el for el in found.iterdescendants() if isinstance(el.tag, str) and _names_author(el)
             and 2 <= len(norm(text_of(el))) <= 80]
    text = norm(text_of(inner[0] if inner else found))
    return text if 2 <= len(text) <= 160 else None


def _names_author(el) -> bool:
    if "author" in (el.get("rel") or "").lower().split() or "author" in (
            el.get("itemprop") or "").lower():
        return True
    named = f"{el.get('class') or ''} {el.get('id') or ''}"
    return bool(named.strip()) and bool(_AUTHOR_HINT.search(named)) and not _NOT_AUTHOR.search(
        named)

