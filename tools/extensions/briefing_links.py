"""Links of the built HTML book: after a successful HTML build, every page is checked for broken
internal links and anchors, missing images and alt texts, orphan pages, external URLs that are
malformed or use plain http, and resources loaded from another host than the book's own
(tools/briefing/htmllinks.py holds the rules).

Each defect is a Sphinx warning located at the HTML file and line, so ``-W`` fails the build.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit

from sphinx.util import logging

from briefing import htmllinks, htmlpage, kept
from briefing.htmllinks import check_site, load_allow_list

logger = logging.getLogger(__name__)
WARN = {"type": "briefing", "subtype": "links"}
# Builders whose pages link by file name (dirhtml by directory, resolved to its index.html).
BUILDERS = ("html", "dirhtml")


def page_of(uri: str) -> str:
    """The file a builder's target URI is written to ("" and "x/" are directory index pages)."""
    return uri + "index.html" if uri == "" or uri.endswith("/") else uri


def page_sources(app) -> dict[str, str]:
    """Each built page, mapped to the source file it was built from."""
    env, builder = app.env, app.builder
    return {page_of(builder.get_target_uri(docname)): Path(env.doc2path(docname, False)).as_posix()
            for docname in env.found_docs}


def _cache_path(app) -> Path:
    # Beside the doctrees, one per output directory: what was learnt of each built page.
    return Path(app.doctreedir) / f"briefing-links-{app.builder.name}.pickle"


def own_hosts(app) -> frozenset[str]:
    """The hosts the book is served from (html_baseurl's), from which a page may load."""
    host = urlsplit(app.config.html_baseurl or "").hostname
    return frozenset({host}) if host else frozenset()


def check_links(app, exception) -> None:
    if exception is not None or app.builder.name not in BUILDERS:
        return
    started = time.perf_counter()
    srcdir = Path(app.srcdir)
    hosts_file = app.config.briefing_links_http_allowed_hosts
    images_file = app.config.briefing_links_decorative_images
    hosts, problems = load_allow_list(srcdir / hosts_file, hosts_file)
    images, more = load_allow_list(srcdir / images_file, images_file)
    # A cache of another output directory says nothing of this one.
    # Kept under the check's code: a changed rule or reader checks every page again.
    code = kept.code_digest(htmlpage, htmllinks)
    cache = kept.load(_cache_path(app), outdir=str(app.outdir), code=code)
    report = check_site(Path(app.outdir), root=page_of(app.builder.get_target_uri(app.config.root_doc)),
                        http_hosts=hosts, decorative=tuple(images), sources=page_sources(app),
                        allow_file=hosts_file, decorative_file=images_file, cache=cache,
                        own_hosts=own_hosts(app))
    kept.save(_cache_path(app), cache, outdir=str(app.outdir), code=code)
    for problem in problems + more + report.problems:
        text, location = problem.for_sphinx()
        logger.warning(text, location=location, **WARN)
    logger.info(f"briefing_links: checked {report.pages} pages and {report.links} links in "
                f"{time.perf_counter() - started:.2f} s, reading {report.read} and checking {report.checked} "
                f"page(s) anew; "
                f"{len(report.problems)} problem(s)")


def setup(app):
    # Allow lists are data: one entry a line, each with its reason after '#'.
    app.add_config_value("briefing_links_http_allowed_hosts", "data/http-allowed-hosts.txt", "html",
                         types=frozenset({str}))
    app.add_config_value("briefing_links_decorative_images", "data/decorative-images.txt", "html",
                         types=frozenset({str}))
    app.connect("build-finished", check_links)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
