"""The offline world: a local mirror of prakata.com and its WhatsApp channels, served from
the fixture world on 127.0.0.1, with faults on demand.

Tests, the offline demo crawl (``prakata crawl --mirror``) and the benchmarks crawl it
instead of the real site, so it imitates what a crawler of the real site meets: keep-alive
HTTP/1.1, gzip, validators and 304s, redirects, tracking-parameter canonicalisation and the
Laravel cookies. It is built on twisted.web (already a Scrapy dependency) rather than
``http.server``, which closes every connection and would make TCP set-up, not the crawler,
dominate the benchmark timings.

What it serves is defined by ``fixtures/routes.json`` (see ``fixtures/README.md``), shipped
in the package as ``mirror/fixtures``. Text bodies have the real origins rewritten to the
mirror's own ``http://127.0.0.1:PORT`` origins so a crawl of the mirror never leaves the
loopback.

Modules, imported one way only (``world`` <- ``faults`` <- ``server``; ``process`` runs
``server`` in a child): ``world`` (routes, bodies, origins), ``faults`` (fault plans),
``server`` (the HTTP server, ``prakata mirror``), ``process`` (the child process). The
crawler never imports this package; ``prakata``'s command line does, through this face.
"""

from .process import MirrorProcess, free_ports, start_mirror_process
from .world import DEFAULT_FIXTURES_DIR

__all__ = ["DEFAULT_FIXTURES_DIR", "MirrorProcess", "free_ports", "main",
           "start_mirror_process"]


def main(argv=None) -> int:
    """``prakata mirror``: serve the fixture world until stopped."""
    from .server import main as serve

    return serve(argv)
