"""The project as a user or Scrapyd installs it: a built wheel, not the checkout."""

import subprocess
import sys
import sysconfig
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_a_wheel_install_crawls_its_own_fixture_mirror(tmp_path):
    wheels = tmp_path / "wheels"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                            "--no-build-isolation", "-q", "-w", str(wheels), str(REPO)],
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = wheels.glob("prakata_crawler-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin/python"),
                              "install", "--no-deps", "-q", str(wheel)],
                             capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr[-2000:]
    # its dependencies from this environment, after its own site-packages (no editable hook)
    site = Path(subprocess.run([str(venv / "bin/python"), "-c", "import sysconfig; print("
                                "sysconfig.get_paths()['purelib'])"], capture_output=True,
                               text=True, check=True).stdout.strip())
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    where = subprocess.run([str(venv / "bin/python"), "-c", "import prakata_crawler.mirror as m;"
                            " print(m.DEFAULT_FIXTURES_DIR)"], capture_output=True, text=True,
                           cwd=tmp_path)
    assert where.stdout.strip().startswith(str(site)), where.stderr[-2000:]
    out = tmp_path / "archive"
    crawl = subprocess.run([str(venv / "bin/prakata"), "crawl", "--mirror", "--out", str(out)],
                           capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert list((out / "items").glob("*.jsonl"))[0].read_text().count("\n") >= 20
