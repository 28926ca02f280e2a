"""The reader's first minute, in a real browser: the front page's dateline, a bottom line of at
most six cited judgments in 150–200 words, and the key figures in large numerals on the first
screen of a 1280×800 desktop and within two screens of a 390 px phone; no page of the front,
a chapter or a source scrolls sideways on the phone. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import re

import pytest

from conftest import book_conf, soup

ARTIFACTS = __import__("pathlib").Path(__file__).parent / "artifacts"


def summary_problems(page) -> list[str]:
    """What keeps the front page's summary from a one-minute read (a parsed index.html)."""
    problems = []
    if not page.select_one("p.dateline") or "Latest source:" not in page.select_one("p.dateline").get_text():
        problems.append("no dateline with the latest source")
    heading = next((h for h in page.select("h2") if h.get_text().startswith("Bottom line")), None)
    if heading is None:
        return problems + ["no 'Bottom line' section"]
    items = heading.find_parent("section").select("ul > li")
    if not 1 <= len(items) <= 6:
        problems.append(f"{len(items)} judgments, not at most six")
    words = 0
    for item in items:
        if not item.select("a.pinpoint"):
            problems.append(f"judgment without a pinpointed citation: {item.get_text()[:40]!r}")
        for cite in item.select(".bibtex-citation"):
            cite.extract()
        words += len(re.findall(r"\w[\w’'–-]*", item.get_text()))
    if not 150 <= words <= 200:
        problems.append(f"{words} words, not 150–200")
    return problems


def test_summary_problems_are_found():
    from bs4 import BeautifulSoup
    long = "<li>" + "word " * 240 + '<span class="bibtex-citation"><a class="pinpoint">¶1</a></span></li>'
    page = BeautifulSoup(f"<section><h2>Bottom line</h2><ul>{long}<li>Uncited.</li></ul></section>", "html.parser")
    assert summary_problems(page) == ["no dateline with the latest source",
                                      "judgment without a pinpointed citation: 'Uncited.'", "241 words, not 150–200"]


def test_front_page_summary(book_html):
    page = soup(book_html / "index.html")
    assert summary_problems(page) == []
    dateline = page.select_one("p.dateline").get_text()
    assert f"Edition {book_conf()['release']}" in dateline and "Latest source: 10 October 2022" in dateline


@pytest.mark.slow
@pytest.mark.parametrize("label, width, height, screens", [("desktop", 1280, 800, 1), ("phone", 390, 844, 2)])
def test_key_figures_on_the_first_screens(book_html, label, width, height, screens):
    from playwright import sync_api
    from browser import launch

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto((book_html / "index.html").as_uri(), wait_until="load")
        page.screenshot(path=str(ARTIFACTS / f"reader-front-{label}.png"))
        box = page.evaluate("""() => { const k = document.querySelector('.key-figures');
            const n = k.querySelector('.sd-card-text strong'); const body = document.querySelector('article p');
            return {bottom: k.getBoundingClientRect().bottom + window.scrollY,
                    numeral: parseFloat(getComputedStyle(n).fontSize), body: parseFloat(getComputedStyle(body).fontSize),
                    small: Math.min(...[...k.querySelectorAll('.sd-card-text')].map(e => parseFloat(getComputedStyle(e).fontSize)))}; }""")
        widths = {}
        for path in ("index.html", "chapters/clashes.html", "chapters/human-cost.html", "sources/interfax2022withdrawal.html"):
            page.goto((book_html / path).as_uri(), wait_until="load")
            widths[path] = page.evaluate("document.documentElement.scrollWidth")
        browser.close()
    assert box["bottom"] <= screens * height, f"{label}: the key figures end {box['bottom']:.0f}px down"
    assert box["numeral"] >= 1.75 * box["body"], box
    assert box["small"] >= 12, box
    assert all(w <= width for w in widths.values()), f"{label}: pages scroll sideways: {widths}"


CHART_PAGES = ("chapters/clashes.html", "chapters/human-cost.html", "chapters/timeline.html")
# The chart the page shows (CSS picks one of four), the size its smallest text is set at on the
# screen (font size × shown width / drawn width), and whether the drawing is the dark one.
CHART_TEXT = """async () => {
  const out = [];
  for (const figure of document.querySelectorAll('figure.briefing-chart')) {
    const shown = [...figure.querySelectorAll('img')].filter(i => i.offsetParent !== null);
    for (const img of shown) {
      const svg = new DOMParser().parseFromString(await (await fetch(img.src)).text(), 'image/svg+xml');
      const box = svg.documentElement.viewBox.baseVal.width;
      const texts = [...svg.querySelectorAll('text')];
      const sizes = texts.map(t => parseFloat((t.getAttribute('style') || '').match(/font-size:\\s*([\\d.]+)px/)[1]));
      out.push({src: img.src.split('/').pop(), shown: img.getBoundingClientRect().width, texts: texts.length,
                smallest: Math.min(...sizes) * img.getBoundingClientRect().width / box});
    }
    if (shown.length !== 1) out.push({src: figure.id, shown: shown.length, texts: -1, smallest: 0});
  }
  return out; }"""


def chart_text_problems(found: list[dict], theme: str, least: float = 12) -> list[str]:
    """Each chart shows exactly one drawing, of the theme's look, its text live and at ``least``
    CSS px or more on the screen (a list from CHART_TEXT)."""
    problems = []
    for chart in found:
        if chart["texts"] < 0:
            problems.append(f"{chart['src']}: {chart['shown']} drawings shown, not one")
            continue
        if chart["texts"] == 0:
            problems.append(f"{chart['src']}: no live text")
        if chart["smallest"] < least:
            problems.append(f"{chart['src']}: text of {chart['smallest']:.1f}px on the screen, under {least}")
        if ("-dark" in chart["src"]) != (theme == "dark"):
            problems.append(f"{chart['src']}: not the {theme} drawing")
    return problems


def test_chart_text_problems_are_found():
    found = [{"src": "figures-0-phone.svg", "shown": 350, "texts": 30, "smallest": 7.5},
             {"src": "map-0.svg", "shown": 600, "texts": 0, "smallest": 13},
             {"src": "chart-timeline", "shown": 2, "texts": -1, "smallest": 0}]
    assert chart_text_problems(found, "dark") == [
        "figures-0-phone.svg: text of 7.5px on the screen, under 12", "figures-0-phone.svg: not the dark drawing",
        "map-0.svg: no live text", "map-0.svg: not the dark drawing", "chart-timeline: 2 drawings shown, not one"]


@pytest.mark.slow
@pytest.mark.parametrize("theme, width", [("light", 390), ("dark", 390), ("light", 1280), ("dark", 1280)])
def test_charts_are_legible_on_the_screen(book_html, theme, width):
    """In a real browser: the map and the charts show text of at least 12 CSS px on a 390 px phone
    and on a desktop, in the light and the dark theme (furo's toggle), each its own drawing."""
    import functools
    import http.server
    import threading

    from playwright import sync_api
    from browser import launch

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(book_html))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    ARTIFACTS.mkdir(exist_ok=True)
    problems, seen = [], 0
    try:
        with sync_api.sync_playwright() as playwright:
            browser = launch(playwright)
            context = browser.new_context(viewport={"width": width, "height": 844})
            context.add_init_script(f"window.localStorage.setItem('theme', '{theme}');")
            page = context.new_page()
            for path in CHART_PAGES:
                page.goto(f"{base}/{path}", wait_until="load")
                found = page.evaluate(CHART_TEXT)
                seen += len(found)
                problems += [f"{path}: {p}" for p in chart_text_problems(found, theme)]
                figure = page.query_selector("figure.briefing-chart")
                figure.screenshot(path=str(ARTIFACTS / f"chart-{path.split('/')[1][:-5]}-{theme}-{width}.png"))
            browser.close()
    finally:
        server.shutdown()
    assert seen == 3, f"{seen} charts found on {CHART_PAGES}"
    assert problems == []
