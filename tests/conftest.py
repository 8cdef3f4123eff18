"""Shared pytest fixtures."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from prakata_crawler.mirror import DEFAULT_FIXTURES_DIR, start_mirror_process
from prakata_crawler.warc import replay


@dataclass(frozen=True)
class MirrorOrigins:
    """Where the session's mirror of the real fixture tree listens."""

    site_origin: str
    channel_origin: str
    channel_asset_origin: str = ""  # where the channels' avatars are (pps.whatsapp.net)


@pytest.fixture(scope="session")
def mirror() -> Iterator[MirrorOrigins]:
    """The mirror over the repository's fixtures/ dir, in a subprocess on free ports.

    Session-scoped because start-up (a Python process importing Twisted) costs far more
    than the requests the tests make; it is stopped when the session ends.
    """
    with start_mirror_process(DEFAULT_FIXTURES_DIR) as process:
        yield MirrorOrigins(site_origin=process.site, channel_origin=process.channel,
                            channel_asset_origin=process.channel_assets)


# the articles a crawl of the fixture world emits: one golden each
SITE_ARTICLES = sum(json.loads(p.read_text(encoding="utf-8"))["expected"]["type"] == "article"
                    for p in (DEFAULT_FIXTURES_DIR / "goldens").glob("site-*.json"))
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "CONCURRENT_REQUESTS=16",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "LOG_LEVEL=INFO"]


@dataclass(frozen=True)
class Crawl:
    """One finished ``prakata crawl`` of the mirror: its process, output dir and items."""

    proc: subprocess.CompletedProcess
    out: Path
    items: list[dict]
    report: dict | None


def run_crawl(mirror: MirrorOrigins, out: Path, *args: str) -> Crawl:
    channel_host = mirror.channel_origin.split("://", 1)[1]
    cmd = [sys.executable, "-m", "prakata_crawler.cli", "crawl", "--site", mirror.site_origin,
           "--channel-host", channel_host, "--out", str(out), *FAST, *args]
    if mirror.channel_asset_origin:  # the avatars, as pps.whatsapp.net is for the real site
        cmd += ["-s", "PRAKATA_CHANNEL_ASSET_HOSTS=" + mirror.channel_asset_origin.split("://")[1]]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    items = [json.loads(line) for f in sorted((out / "items").glob("*.jsonl"))
             for line in f.read_text(encoding="utf-8").splitlines()]
    reports = sorted((out / "runs").glob("*.json"))
    return Crawl(proc, out, items, json.loads(reports[-1].read_text()) if reports else None)


@pytest.fixture(scope="session")
def mirror_crawl(mirror, tmp_path_factory) -> Crawl:
    """A full crawl of the mirror with default settings (WARC on), shared by the
    end-to-end and archive tests."""
    return run_crawl(mirror, tmp_path_factory.mktemp("archive"))


def without_archive(item: dict) -> dict:
    """``item`` without what the archive holds of its images (``archived``,
    ``payload_digest``): extraction's part, which the goldens describe."""
    dropped = {"image_archived", "image_payload_digest"}
    item = {k: v for k, v in item.items() if k not in dropped}
    if "images" in item:
        item["images"] = [{k: v for k, v in image.items()
                           if k not in {"archived", "payload_digest"}} for image in item["images"]]
    return item


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_pywb(out: Path, port: int) -> subprocess.Popen:
    """pywb (``.venv-replay``) over the archive in ``out``, once it accepts connections."""
    process = replay.start(out, port, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            assert process.poll() is None, "pywb exited"
            time.sleep(0.2)
    process.kill()
    raise AssertionError("pywb did not start listening")


@pytest.fixture(scope="session")
def pywb(mirror_crawl) -> Iterator[int]:
    """The port of pywb replaying the shared crawl's archive."""
    port = free_port()
    process = start_pywb(mirror_crawl.out, port)
    yield port
    process.terminate()
    process.wait(timeout=10)


def prakata(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the ``prakata`` command as a user would, in a subprocess."""
    return subprocess.run([sys.executable, "-m", "prakata_crawler.cli", *args],
                          capture_output=True, text=True, timeout=timeout)


def records(out: Path):
    """``(file name, record, raw payload)`` of every record of every WARC under ``out``."""
    for path in sorted((out / "warc").glob("*.warc.gz")):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                body = record.raw_stream.read()
                yield path.name, record, body


def statuses(out: Path) -> list[str]:
    """HTTP statuses of the archived responses."""
    return [r.http_headers.get_statuscode() for _, r, _ in records(out)
            if r.rec_type == "response"]
