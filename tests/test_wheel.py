"""The project as a user or Scrapyd installs it: a built wheel, not the checkout."""

import os
import pty
import re
import select
import subprocess
import sys
import sysconfig
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_a_wheel_install_crawls_its_own_fixture_mirror_quietly_on_a_terminal(tmp_path):
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
    status, screen = on_a_terminal([str(venv / "bin/prakata"), "crawl", "--mirror", "--out",
                                    str(out)], cwd=tmp_path)
    assert status == 0, screen[-3000:]
    assert list((out / "items").glob("*.jsonl"))[0].read_text().count("\n") >= 20
    # a person sees the progress line, warnings and the summary; Scrapy's log is in a file
    lines = screen.replace("\r\n", "\n").strip().split("\n")
    assert len(lines) <= 25, screen
    assert "Dumping Scrapy stats" not in screen and "[scrapy" not in screen
    (log,) = re.findall(r"log: +(\S+)", screen)
    assert Path(log).parent == out / "logs" and "Dumping Scrapy stats" in Path(log).read_text()


def on_a_terminal(command: list[str], cwd: Path, timeout: float = 600) -> tuple[int, str]:
    """Run ``command`` with a pseudo-terminal as its stdin, stdout and stderr: what a person
    running it would see."""
    main, child = pty.openpty()
    proc = subprocess.Popen(command, stdin=child, stdout=child, stderr=child, cwd=cwd)
    os.close(child)
    chunks = []
    while select.select([main], [], [], timeout)[0]:
        try:
            data = os.read(main, 65536)
        except OSError:  # EIO: the child's side is closed
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(main)
    return proc.returncode, b"".join(chunks).decode("utf-8", "replace")
