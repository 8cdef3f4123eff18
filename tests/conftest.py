"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from prakata_crawler.mirror import DEFAULT_FIXTURES_DIR, start_mirror_process


@dataclass(frozen=True)
class MirrorOrigins:
    """Where the session's mirror of the real fixture tree listens."""

    site_origin: str
    channel_origin: str


@pytest.fixture(scope="session")
def mirror() -> Iterator[MirrorOrigins]:
    """The mirror over the repository's fixtures/ dir, in a subprocess on free ports.

    Session-scoped because start-up (a Python process importing Twisted) costs far more
    than the requests the tests make; it is stopped when the session ends.
    """
    with start_mirror_process(DEFAULT_FIXTURES_DIR) as process:
        yield MirrorOrigins(site_origin=process.site, channel_origin=process.channel)
