"""The built book in a real browser: axe-core finds no accessibility violation on any page, in
the light and the dark theme and at phone width, and the pages render at phone and desktop
widths without scrolling sideways (screenshots in tests/artifacts/).

The browser is Debian's Chromium (/usr/bin/chromium), driven by Playwright; axe-core is the copy
bundled in the pinned PyPI package axe-playwright-python, so nothing is fetched at test time.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import struct
import threading
from importlib import resources
from pathlib import Path

import pytest
from browser import CHROMIUM, launch

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).parent / "artifacts"
WIDTHS = {"phone": 390, "desktop": 1280}
# axe-core's standard rule set (WCAG 2.0, 2.1 and 2.2 A and AA plus best practices), all of it.
AXE_RUN = "async () => JSON.stringify(await axe.run(document, {resultTypes: ['violations']}))"


def _axe_source() -> str:
    return resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep the test output readable
        pass


@pytest.fixture(scope="module")
def built(request) -> Path:
    """The book's HTML: BRIEFING_HTML names an existing build (e.g. _build/html after
    `make html`) to test instead of building afresh."""
    given = os.environ.get("BRIEFING_HTML")
    return Path(given) if given else request.getfixturevalue("book_html")


@pytest.fixture(scope="module")
def site(built):
    """The built book served over HTTP on the loopback interface (file:// URLs would change
    how the theme stores its settings)."""
    book_html = built
    handler = functools.partial(_QuietHandler, directory=str(book_html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", book_html
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright import sync_api  # pinned in requirements.txt: never skipped
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (see README)")
    with sync_api.sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


def _pages(outdir: Path) -> list[str]:
    return sorted(p.relative_to(outdir).as_posix() for p in outdir.rglob("*.html"))


def _context(browser, theme: str, width: int = 1280):
    context = browser.new_context(viewport={"width": width, "height": 900}, device_scale_factor=1)
    # Furo reads the reader's choice of theme from localStorage before it paints.
    context.add_init_script(f"window.localStorage.setItem('theme', '{theme}');")
    # No page may load anything from another host: fail loudly if one tries.
    context.route(lambda url: not url.startswith("http://127.0.0.1"), lambda route: route.abort())
    return context


def _describe(page_name: str, theme: str, violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        for node in violation["nodes"][:5]:
            lines.append(f"{page_name} [{theme}] {violation['id']} ({violation['impact']}): "
                         f"{violation['help']}: {node['target']} {node['html'][:160]}")
    return "\n".join(lines)


@pytest.mark.parametrize("theme, width", [("light", 1280), ("dark", 1280), ("light", 390)],
                         ids=["light", "dark", "light-phone"])
def test_no_axe_violations(site, browser, theme, width):
    """Desktop in both themes; the phone layout too, whose header and drawers differ."""
    base, outdir = site
    axe = _axe_source()
    context = _context(browser, theme, width)
    page = context.new_page()
    problems, checked = [], 0
    for name in _pages(outdir):
        page.goto(f"{base}/{name}", wait_until="load")
        assert page.evaluate("document.body.dataset.theme") == theme, f"{name}: theme not applied"
        page.add_script_tag(content=axe)
        result = json.loads(page.evaluate(AXE_RUN))
        if result["violations"]:
            problems.append(_describe(name, f"{theme}, {width}px", result["violations"]))
        checked += 1
    context.close()
    assert checked >= 3, f"only {checked} pages were found in {outdir}"
    assert not problems, "axe-core found accessibility violations:\n" + "\n".join(problems)


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def _a_chapter(outdir: Path) -> str:
    chapters = sorted(p.relative_to(outdir).as_posix() for p in (outdir / "chapters").glob("*.html"))
    assert chapters, "the book has no chapter pages"
    # The chapter with a chart and a data table shows most of what a page can hold.
    preferred = [c for c in chapters if c.endswith("human-cost.html")] + \
        [c for c in chapters if "bibliography" not in c]
    return (preferred or chapters)[0]


def test_screenshots(site, browser):
    base, outdir = site
    ARTIFACTS.mkdir(exist_ok=True)
    targets = {"front": "index.html", "chapter": _a_chapter(outdir)}
    for label, width in WIDTHS.items():
        context = _context(browser, "light", width)
        page = context.new_page()
        for name, path in targets.items():
            page.goto(f"{base}/{path}", wait_until="load")
            shot = ARTIFACTS / f"{name}-{label}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 1000, f"{shot} is empty"
            shot_width, shot_height = _png_size(shot)
            # Wider than the viewport would mean the page scrolls sideways on that screen.
            assert shot_width == width, f"{shot}: {shot_width}px wide, expected {width}px"
            assert shot_height >= 300, f"{shot}: only {shot_height}px tall"
        context.close()
