"""Body quality and speed of our extractor against trafilatura on the fixture goldens.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python -m bench.compare_extractors [--repeat 5] [--json out.json]

Body token F1 is computed per page against the golden body (bag of words, case kept) and
averaged; docs/s is measured over all golden article pages in one process.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from prakata_crawler import extract

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def token_f1(got: str, want: str) -> float:
    got_tokens, want_tokens = Counter(got.split()), Counter(want.split())
    common = sum((got_tokens & want_tokens).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got_tokens.values()), common / sum(want_tokens.values())
    return 2 * precision * recall / (precision + recall)


def compare(root: Path = FIXTURES, repeat: int = 5) -> dict:
    """docs/s and mean body F1 of each extractor over the article goldens under `root`."""
    import trafilatura

    cases = []
    for path in sorted((root / "goldens").glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        # one file each: a multi-page article's golden spans pages neither extractor is given
        if case["expected"]["type"] == "article" and not case.get("pages"):
            cases.append((path.stem, (root / case["file"]).read_bytes(), case))

    def ours(body, case):
        return extract(body, case["url"]).get("body") or ""

    def theirs(body, case):
        return trafilatura.extract(body, url=case["url"], include_comments=False,
                                   include_tables=False, favor_precision=True) or ""

    results = {}
    for name, fn in (("prakata_crawler", ours), ("trafilatura", theirs)):
        scores = {stem: token_f1(fn(body, case), case["expected"]["body"])
                  for stem, body, case in cases}
        start = time.perf_counter()
        for _ in range(repeat):
            for _, body, case in cases:
                fn(body, case)
        elapsed = time.perf_counter() - start
        results[name] = {"docs": len(cases),
                         "docs_per_s": round(repeat * len(cases) / elapsed, 1),
                         "body_f1": round(sum(scores.values()) / len(scores), 4),
                         "worst": sorted(scores.items(), key=lambda kv: kv[1])[:3]}
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--root", type=Path, default=FIXTURES,
                        help="a folder with goldens/ and the pages they name")
    args = parser.parse_args()
    results = compare(args.root, args.repeat)
    print(f"{'extractor':<18}{'docs/s':>10}{'body F1':>10}   worst pages")
    for name, r in results.items():
        worst = ", ".join(f"{s} {f:.2f}" for s, f in r["worst"])
        print(f"{name:<18}{r['docs_per_s']:>10}{r['body_f1']:>10}   {worst}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")

if __name__ == "__main__":
    main()
