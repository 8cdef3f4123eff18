"""The package's import graph: no circle, and the offline world (``prakata_crawler.mirror``)
apart: the crawler never imports it; the command line reaches it through its face."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "prakata_crawler"


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "fixtures" in path.relative_to(PACKAGE).parts:
            continue
        parts = ("prakata_crawler", *path.relative_to(PACKAGE).with_suffix("").parts)
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules ``name`` imports, at module level or inside functions."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            targets.add(base)
            targets.update(f"{base}.{alias.name}" for alias in node.names)
    return {t for t in targets if t in known and t != name}


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports(name, path, set(found)) for name, path in found.items()}


def test_no_import_circle():
    edges = graph()
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges[node]):
            if nxt.startswith(node + "."):
                continue  # a package importing its own modules (its face) is no circle
            assert state.get(nxt) != 1, " -> ".join(path[path.index(nxt):] + [nxt])
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)


def test_only_the_command_line_reaches_the_mirror_and_only_through_its_face():
    for name, targets in graph().items():
        if name.startswith("prakata_crawler.mirror"):
            continue
        inner = {t for t in targets if t.startswith("prakata_crawler.mirror.")}
        assert not inner, f"{name} imports the mirror's inside: {inner}"
        if "prakata_crawler.mirror" in targets:
            assert name == "prakata_crawler.cli", f"{name} imports the mirror"
