"""Extraction speed over every golden fixture page, in one process.

    .venv/bin/python bench/extract_speed.py [--repeat 10]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from prakata_crawler import extract

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    pages = []
    for path in sorted((FIXTURES / "goldens").glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        pages.append(((FIXTURES / case["file"]).read_bytes(), case["url"]))
    for body, url in pages:  # warm-up: imports, regex compilation
        extract(body, url)
    start = time.perf_counter()
    for _ in range(args.repeat):
        for body, url in pages:
            extract(body, url)
    elapsed = time.perf_counter() - start
    count = args.repeat * len(pages)
    size = sum(len(b) for b, _ in pages) / len(pages) / 1024
    print(f"{count} extractions of {len(pages)} pages (mean {size:.0f} KB): "
          f"{count / elapsed:.1f} items/s, {1000 * elapsed / count:.1f} ms each")


if __name__ == "__main__":
    main()
