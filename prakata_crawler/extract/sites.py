"""Site-aware rules: what is known of prakata.com and of other portals' page titles.

Kept apart from the generic layers so a newly seen site adds data here, not code there.
"""

from __future__ import annotations

from .text import norm

TITLE_SUFFIXES = (
    " - Prakata.com | Kata-kata Dalam Berita",
    " - Tribunnews.com", " | Kompas.com", " - detikcom", " - kumparan", " - Suara.com",
    " - Okezone", " - JPNN.com", " - TangerangNews.com",
)

def strip_title_suffix(title: str | None) -> str | None:
    """``<title>`` minus a known site suffix (a tagline a site name alone would not
    match: "- Prakata.com | Kata-kata Dalam Berita"); headline.py strips the rest."""
    title = norm(title)
    for suffix in TITLE_SUFFIXES:
        if title.lower().endswith(suffix.lower()):
            return title[: -len(suffix)].strip() or None
    return title or None
