"""The benchmark (bench/run.py) at N=200, so it keeps working: structure only, no timings."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmark_runs_and_writes_table_and_json(tmp_path):
    out = tmp_path / "result.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.run", "--sizes", "200", "--repeat", "1", "--rounds", "2",
         "--work", str(tmp_path / "work"), "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "pages/s" in proc.stdout and "docs/s" in proc.stdout and "incremental" in proc.stdout
    result = json.loads(out.read_text())
    assert result["machine"]["cores"] and result["machine"]["scrapy"]
    (row,) = result["crawl"]
    assert row["articles"] == 200 and row["mirror"]["templates"] > 1
    for run in (row["prakata"], row["bare"]):
        assert run["pages"] > 200 and run["pages_per_s"] > 0 and run["peak_rss_mb"] > 0
    assert row["prakata"]["exit"] == 0 and row["prakata"]["articles"] == 200
    assert row["ratio"] > 0 and len(row["round_ratios"]) == 2
    # the same site with one flat sitemap of every article: everything crawled as well
    flat = row["prakata_flat"]
    assert flat["exit"] == 0 and flat["articles"] == 200
    assert flat["pages"] == row["prakata"]["pages"] - row["mirror"]["sitemaps"]  # no children
    assert flat["peak_rss_mb"] > 0 and row["ratio_flat"] > 0
    assert row["ratio"] in row["round_ratios"]
    for name in ("prakata_crawler", "trafilatura"):
        assert result["extraction"][name]["docs_per_s"] > 0
        assert 0 <= result["extraction"][name]["body_f1"] <= 1
    assert result["reextract"]["articles"] == 200
    incremental = result["incremental"]
    assert incremental["exit"] == 0 and incremental["articles"] == 25
    # the corrected old articles came back as new versions, for the reason the site gave
    assert incremental["items_new"] == 20 and incremental["items_updated"] == 5
    assert incremental["requests_by_reason"]["lastmod newer than last fetch"] == 5
    cost = result["requisites"]
    assert cost["without"]["requisite_requests"] == 0
    # the own photo of (almost) every article and the site chrome, all of them archived
    assert cost["with"]["requisites_archived"] >= 180 and cost["with"]["requisites_failed"] == 0
    assert cost["with"]["requests_per_article"] > cost["without"]["requests_per_article"]
    assert 0 < incremental["requests_beyond_discovery"] <= incremental["requests"]
