"""One article from the pages of a multi-page article (pure).

Page 1 gives what the article is (headline, dates, section, tags, the lead photo and its
caption); every page gives its text, in order. What the site prints again on every page
(the headline, the caption, the byline, a paragraph already read) is read once. A
show-all view, when the site has one, gives the whole text at once.
"""

from __future__ import annotations

from collections.abc import Sequence

from .article import body_measures, read_page
from .document import Document, narrow
from .pagination import ALL, page_of
from .text import norm

Part = tuple[bytes, str, str | None]  # (body, URL, Content-Type) of one more page


def join_pages(fields: dict, parts: Sequence[Part]) -> dict:
    """Page 1's ``fields`` (from extract_article) with the text and images of ``parts``:
    its later pages in order, or its show-all view alone."""
    show_all = len(parts) == 1 and page_of(parts[0][1])[1] == ALL
    repeated = {norm(fields[k]) for k in ("headline", "caption", "byline") if fields.get(k)}
    paragraphs = [] if show_all else [p for p in fields["body"].split("\n\n") if p]
    seen = {norm(p) for p in paragraphs} | repeated
    images = [] if show_all else list(fields["images"])
    byline, authors = fields["byline"], list(fields["authors"])
    for body, url, content_type in parts:
        page = read_page(Document(narrow(body, content_type), url, content_type), url)
        for paragraph in page.paragraphs:
            if norm(paragraph) not in seen:
                seen.add(norm(paragraph))
                paragraphs.append(paragraph)
        known = {image["url"] for image in images}
        images += [image for image in page.images if image["url"] not in known]
        byline = byline or page.byline  # a closing credit is printed on the last page
        authors += [a for a in page.authors if a not in authors]
    if show_all and not images:
        images = list(fields["images"])
    text = "\n\n".join(paragraphs)
    return {**fields, "body": text, "images": images, "byline": byline, "authors": authors,
            "pages": [url for _, url, _ in parts] if show_all
            else [fields["url"], *(url for _, url, _ in parts)],
            **body_measures(text)}
