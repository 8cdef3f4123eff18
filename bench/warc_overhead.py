"""Crawl speed with and without WARC writing on the fixture mirror, and WARC bytes per
article. Alternates the two modes to spread machine noise.

    .venv/bin/python bench/warc_overhead.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from prakata_crawler.mirror import start_mirror_process

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "CONCURRENT_REQUESTS=16",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "LOG_LEVEL=WARNING"]


def crawl(mirror, out: Path, warc: bool) -> dict:
    channel = mirror.channel.split("://", 1)[1]
    subprocess.run([sys.executable, "-m", "prakata_crawler.cli", "crawl", "--site", mirror.site,
                    "--channel-host", channel, "--out", str(out), *FAST,
                    "-s", f"PRAKATA_WARC_ENABLED={int(warc)}"],
                   check=True, capture_output=True)
    report = json.loads(next((out / "runs").glob("*.json")).read_text())
    report["warc_bytes"] = sum(p.stat().st_size for p in (out / "warc").glob("*.warc.gz")) \
        if warc else 0
    return report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    speeds: dict[bool, list[float]] = {True: [], False: []}
    with start_mirror_process() as mirror, tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            for warc in (False, True):
                report = crawl(mirror, Path(tmp) / f"{run}-{warc}", warc)
                speeds[warc].append(report["pages_per_second"])
                if warc:
                    per_article = report["warc_bytes"] / report["articles"]
    off, on = statistics.median(speeds[False]), statistics.median(speeds[True])
    print(f"pages/s without WARC {off:.1f}, with WARC {on:.1f} (median of {args.runs}; "
          f"ratio {on / off:.2f}); WARC bytes per article {per_article:,.0f} "
          f"({report['pages']} pages, {report['articles']} articles per crawl)")


if __name__ == "__main__":
    main()
