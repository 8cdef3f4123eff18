"""Caption text: UI words out, a doubled copy once, the photo credit apart.

A credit goes to the image's ``credit``, never into ``caption``: a labelled clause at the
end (``Foto: Ist``, ``Foto/ANTARA``, ``Photo: X``, ``Dok. BPBD``, ``Sumber: ...``), a
bracketed source closing the caption (``(ANTARA/Aditya)``, ``[Suara.com/Fakhri]``,
``(@TangerangNews / Yanto)``, glued ``(foto:shy)``), an unlabelled agency/photographer
pair after the last sentence (``KOMPAS.com/ACEP NAZMUDIN``, ``/Kabar Banten/Iman``), or a
``Foto: X.`` printed before the caption.
"""

from __future__ import annotations

import re

from .text import norm

_UI_WORDS = re.compile(r"\s*\b(?:Perbesar|Lihat Foto|Zoom|Tutup)\b\s*", re.I)
# A label, then what says it is one: "Foto:", "Foto/" or "Foto ©" (never "Foto udara ..."),
# "Dok." or "Dokumentasi:" (never "Dokumentasi kegiatan ..."), or a bare "©".
_LABEL = (r"(?:(?:foto|photo|fotografer|gambar|sumber|source|credit|kredit)\s*[:/©]"
          r"|(?:dok|doc)\b\.|(?:dok|doc)(?:umentasi)?\s*:|©)")
# A dot inside "JPNN.com" or after "Dok" does not end a sentence.
_NO_SENTENCE = r"(?:[^.!?]|\.(?=\S)|(?<=[Dd]ok)\.(?=\s))"  # the two dot branches never overlap
# "... 2025). Foto: Ist" / "... Jakarta. Dok. BPBD" / "... | Foto: X"
_TRAILING_LABELLED = re.compile(
    rf"(?:^|(?<=[.!?)”\"])\s+|\s+[|–—-]\s+)(?P<credit>{_LABEL}\s*{_NO_SENTENCE}{{1,80}})$",
    re.I)
# "... (ANTARA/Aditya)" / "...2025).(foto:shy)" / "... [Suara.com/Fakhri]"
_TRAILING_BRACKET = re.compile(r"(?:(?<=[.!?”\"])|\s)\s*[(\[](?P<credit>[^()\[\]]{1,80})[)\]]\s*$")
# "... 2025). KOMPAS.com/ACEP NAZMUDIN" / "... 2025). /Kabar Banten/Iman Hidayat"
_TRAILING_SLASHED = re.compile(
    rf"(?<=[.!?)”\"])\s+(?P<credit>/?[^\s/]{_NO_SENTENCE}{{0,40}}/{_NO_SENTENCE}{{1,60}})$")
_LEADING_LABELLED = re.compile(
    rf"^\s*{_LABEL}\s*(?P<credit>{_NO_SENTENCE}{{2,60}})(?<![Dd]ok)\.\s+(?=\S)", re.I)
_FOTO_PREFIX = re.compile(r"^\s*(?:Foto|Photo|Gambar)\s*:\s*", re.I)
# "Dok. X" keeps its word: it says whose archive the photo is from.
_CREDIT_LABEL = re.compile(r"^(?:(?:foto|photo|fotografer|gambar|sumber|source|credit|kredit)"
                           r"\s*[:/©]|©)\s*", re.I)
_DATE = re.compile(r"\d{1,2}\s*/\s*\d{1,2}(?:\s*/\s*\d{2,4})?")
_CREDIT_WORDS = re.compile(rf"^{_LABEL}|/|@|^(?:ist|istimewa|net)$", re.I)
_POSITION = frozenset({"kiri", "kanan", "tengah", "atas", "bawah", "depan", "belakang", "left",
                       "right", "center", "centre", "top", "bottom", "inset"})
_MAX_CREDIT_WORDS = 6  # "ANTARA FOTO/Asprilla Dwi Adha": longer is a sentence with a slash


def clean_caption(text: str | None, headline: str | None = None) -> str | None:
    """The caption without UI words, a repeated copy or a leading "Foto:" label (the
    credit is still in it: see ``split_credit``)."""
    text = text or ""
    low = text.lower()
    if "perbesar" in low or "foto" in low or "zoom" in low or "tutup" in low:
        text = _UI_WORDS.sub(" ", text)
    text = norm(text)
    half = len(text) // 2
    if half > 10 and text[:half].strip() == text[half:].strip():
        text = text[:half].strip()
    if not text or (headline and text.lower() == headline.lower()):
        return None
    return text


def split_credit(text: str | None) -> tuple[str | None, str | None]:
    """``(caption, credit)``: the caption text and the photo credit printed with it."""
    if not text:
        return None, None
    credit = None
    match = _LEADING_LABELLED.match(text)
    if match and _is_credit(match["credit"], False) and len(match["credit"].split()) <= 6:
        credit, text = match["credit"], text[match.end():]
    for pattern in (_TRAILING_BRACKET, _TRAILING_LABELLED, _TRAILING_SLASHED):
        match = pattern.search(text)
        if match and _is_credit(match["credit"], pattern is _TRAILING_BRACKET):
            credit, text = match["credit"], text[: match.start()]
            break
    text = norm(_FOTO_PREFIX.sub("", text)).rstrip(" |–—-")
    if credit is not None:
        credit = _CREDIT_LABEL.sub("", norm(credit).strip(" ()[]/")) or None
    return text or None, credit


def _is_credit(candidate: str, bracketed: bool) -> bool:
    """A source or photographer, not a date, a position, a place or a clause of the
    caption."""
    candidate = norm(candidate)
    if not candidate or _DATE.search(candidate) or candidate.lower() in _POSITION:
        return False
    if _CREDIT_WORDS.search(candidate):  # unbracketed after a sentence: short, no figures
        return bracketed or re.match(_LABEL, candidate, re.I) is not None or (
            len(candidate.split()) <= _MAX_CREDIT_WORDS and not re.search(r"\d", candidate))
    # bare bracketed initials or a source closing the caption: "(bbs)", "(Prakata.com)"
    return bracketed and (re.fullmatch(r"[a-z]{2,5}", candidate) is not None
                          or "." in candidate and " " not in candidate)
