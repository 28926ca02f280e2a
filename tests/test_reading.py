"""Reading the HTML book: evidence one click away (a ¶ link's popover quotes its passage, on
hover, keyboard focus and tap, axe-clean), ¶ links that are targets of 24×24 px, glossary links
at a term's first mention in a section and styled apart, "Cite this page" folded with a copy
button and left out of the e-book, and tables that stack on a 390 px phone so that no page or
table scrolls sideways. Screenshots of the front page, a chapter, a source page and the map, in
the light and the dark theme and on a phone, go to tests/artifacts/reading-*.png."""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
from importlib import resources
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document

from conftest import soup

ARTIFACTS = Path(__file__).parent / "artifacts"
PHONE = 390


def _pages(html_dir: Path) -> list[str]:
    return sorted(p.relative_to(html_dir).as_posix() for p in html_dir.rglob("*.html"))


# --- Glossary links: at a term's first mention in a section, and marked apart -----------------

def _is_glossary_link(a) -> bool:
    return a.name == "a" and a.find("span", class_="std-term") is not None


def glossary_link_problems(page, rel: str) -> list[str]:
    """A glossary term linked more than once in one section, or a glossary link not marked
    ``glossary-term`` (which briefing.css styles apart from citations)."""
    problems, seen = [], {}
    for a in page.find_all(_is_glossary_link):
        section = a.find_parent("section")
        name = section.get("id", "?") if section else "(no section)"
        key = (id(section), a.get("href"))
        seen[key] = seen.get(key, 0) + 1
        if seen[key] == 2:
            problems.append(f"{rel}: “{a.get_text()}” is linked again in section “{name}”")
        if "glossary-term" not in a.get("class", []):
            problems.append(f"{rel}: the glossary link “{a.get_text()}” in section “{name}” is not marked glossary-term")
    return problems


def test_glossary_link_problems_are_found():
    link = '<a class="reference internal {c}" href="glossary.html#term-Osh"><span class="xref std std-term">Osh</span></a>'
    page = BeautifulSoup(f'<section id="one"><p>{link.format(c="glossary-term")} and {link.format(c="glossary-term")}</p>'
                         f'<section id="two"><p>{link.format(c="")}</p></section></section>', "html.parser")
    assert glossary_link_problems(page, "chapters/x.html") == [
        "chapters/x.html: “Osh” is linked again in section “one”",
        "chapters/x.html: the glossary link “Osh” in section “two” is not marked glossary-term"]


def test_glossary_first_mention_unlinks_the_others():
    """The transform itself, on a doctree: per section, the first link to a term stays."""
    from briefing_reading import GlossaryFirstMention

    document = new_document("test", get_default_settings(Parser))

    def term_link():
        return nodes.reference("", "", nodes.inline("Osh", "Osh", classes=["xref", "std", "std-term"]),
                               refuri="glossary.html#term-Osh", internal=True)

    outer = nodes.section(ids=["one"])
    inner = nodes.section(ids=["two"])
    outer += nodes.paragraph("", "", term_link(), nodes.Text(" and "), term_link())
    inner += nodes.paragraph("", "", term_link())
    outer += inner
    document += outer
    GlossaryFirstMention(document).run()
    links = [(n.parent.parent["ids"][0], n["classes"]) for n in document.findall(nodes.reference)]
    assert links == [("one", ["glossary-term"]), ("two", ["glossary-term"])]
    assert outer.children[0].astext() == "Osh and Osh"


def test_glossary_links_at_first_mention(book_html):
    problems, links = [], 0
    for rel in _pages(book_html):
        page = soup(book_html / rel)
        links += len(page.find_all(_is_glossary_link))
        problems += glossary_link_problems(page, rel)
    assert links >= 20, f"only {links} glossary links in the book"
    assert problems == []


# --- The passages the ¶ links quote: in the page, and the archived words ----------------------

def archived_paragraphs(html_dir: Path) -> dict[str, str]:
    """Each archived paragraph's text by its id (KEY-pN), as its source page shows it."""
    found = {}
    for path in (html_dir / "sources").glob("*.html"):
        for p in soup(path).select("p.archived-paragraph[id]"):
            for number in p.select(".paragraph-number"):
                number.extract()
            found[p["id"]] = " ".join(p.get_text().split())
    return found


def passage_problems(page, rel: str, archived: dict[str, str]) -> list[str]:
    """A ¶ link without the passage it pinpoints, or with words that are not the archived text."""
    problems = []
    for a in page.select("a.pinpoint"):
        anchor = a.get("href", "").rpartition("#")[2]
        match = re.fullmatch(r"(.+)-p(\d+)", anchor)
        if not match or not a.get("data-passage") or not a.get("data-source"):
            problems.append(f"{rel}: the ¶ link {a.get_text()} to {a.get('href')} carries no passage")
            continue
        for offset, text in enumerate(a["data-passage"].split("\n")):
            target = f"{match.group(1)}-p{int(match.group(2)) + offset}"
            if " ".join(text.split()) != archived.get(target):
                problems.append(f"{rel}: the ¶ link {a.get_text()} quotes “{text[:40]}…”, not the words of {target}")
    return problems


def test_passage_problems_are_found():
    archived = {"k-p3": "Three.", "k-p4": "Four."}
    page = BeautifulSoup('<a class="pinpoint" href="../sources/k.html#k-p3" data-source="K" data-passage="Three.&#10;Five.">¶3–4</a>'
                         '<a class="pinpoint" href="../sources/k.html#k-p4">¶4</a>', "html.parser")
    assert passage_problems(page, "index.html", archived) == [
        "index.html: the ¶ link ¶3–4 quotes “Five.…”, not the words of k-p4",
        "index.html: the ¶ link ¶4 to ../sources/k.html#k-p4 carries no passage"]


def test_pinpoints_carry_their_passages(book_html):
    archived = archived_paragraphs(book_html)
    problems, links = [], 0
    for rel in _pages(book_html):
        page = soup(book_html / rel)
        links += len(page.select("a.pinpoint"))
        problems += passage_problems(page, rel, archived)
    assert links > 300, links
    assert problems == []
    scripts = {s["src"].split("?")[0]: s for s in soup(book_html / "index.html").find_all("script", src=True)}
    assert scripts["_static/briefing-reading.js"].has_attr("defer"), scripts


# --- "Cite this page": folded, its note for the editor only, not in the e-book -----------------

def test_cite_this_page_is_folded(book_html):
    for rel in ("index.html", "chapters/clashes.html", "sources/interfax2022withdrawal.html"):
        section = soup(book_html / rel).find("section", id="cite-this-page")
        details = section.find("details")
        assert details is not None and not details.has_attr("open"), rel
        assert details.find("summary").get_text(strip=True) == "Cite this page", rel
        assert "no configured web address" not in section.get_text(), rel
        assert "No web address is configured" in str(section), rel  # the comment for the editor


@pytest.mark.sphinx("epub", testroot="charts", srcdir="charts-epub-reading", freshenv=True,
                    confoverrides={"extensions": ["myst_parser", "sphinx_design", "sphinxcontrib.bibtex",
                                                  "briefing_bibstyle", "briefing_sources", "briefing_claims",
                                                  "briefing_tables", "briefing_charts", "briefing_a11y", "briefing_reading",
                                                  "briefing_cite"]})
def test_the_ebook_has_no_cite_block_and_no_script(app):
    app.build()
    pages = {p.name: p.read_text(encoding="utf-8") for p in Path(app.outdir).rglob("*.xhtml")}
    assert pages
    for name, text in pages.items():
        assert "cite-this-page" not in text, name
        assert "briefing-reading.js" not in text and "data-passage" not in text, name


# --- In a real browser ------------------------------------------------------------------------

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep the test output readable
        pass


@pytest.fixture(scope="module")
def served(book_html):
    handler = functools.partial(_QuietHandler, directory=str(book_html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def chromium():
    from playwright import sync_api
    from browser import launch

    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


def _context(browser, theme="light", width=1280, **options):
    context = browser.new_context(viewport={"width": width, "height": 844 if width <= PHONE else 900}, **options)
    context.add_init_script(f"window.localStorage.setItem('theme', '{theme}');")
    context.route(lambda url: not url.startswith("http://127.0.0.1"), lambda route: route.abort())
    return context


# What scrolls sideways on the page, and which visible ¶ links are smaller than 24×24 px.
LAYOUT = """() => ({
  page: document.documentElement.scrollWidth,
  scrolling: [...document.querySelectorAll('article *')].filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX)
      && e.scrollWidth > e.clientWidth + 1).map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} ${e.scrollWidth}px in ${e.clientWidth}px`),
  small: [...document.querySelectorAll('a.pinpoint')].filter(a => a.getClientRects().length)
      .map(a => a.getBoundingClientRect()).filter(r => r.width < 24 || r.height < 24)
      .map(r => `${r.width.toFixed(0)}×${r.height.toFixed(0)}`)})"""


def layout_problems(found: dict, rel: str, width: int = PHONE) -> list[str]:
    problems = []
    if found["page"] > width:
        problems.append(f"{rel}: the page is {found['page']}px wide at {width}px")
    problems += [f"{rel}: {what} scrolls sideways" for what in found["scrolling"]]
    if found["small"]:
        problems.append(f"{rel}: {len(found['small'])} ¶ link(s) smaller than 24×24px ({', '.join(found['small'][:3])})")
    return problems


@pytest.mark.slow
def test_layout_problems_are_found(chromium):
    page = chromium.new_page(viewport={"width": PHONE, "height": 844})
    page.set_content('<article><div style="overflow-x: auto"><table><tr><td style="min-width: 600px">wide</td></tr></table></div>'
                     '<p>Text (<a class="pinpoint" href="#x">¶1</a>)</p><p style="width: 500px">a wide line</p></article>')
    problems = layout_problems(page.evaluate(LAYOUT), "defect.html")
    page.close()
    assert len(problems) == 3, problems
    assert problems[0].startswith("defect.html: the page is ") and "scrolls sideways" in problems[1]
    assert "1 ¶ link(s) smaller than 24×24px" in problems[2]


@pytest.mark.slow
def test_no_page_scrolls_sideways_on_a_phone(book_html, served, chromium):
    context = _context(chromium, width=PHONE)
    page = context.new_page()
    problems = []
    for rel in _pages(book_html):
        page.goto(f"{served}/{rel}", wait_until="load")
        problems += layout_problems(page.evaluate(LAYOUT), rel)
    # A stacked table's cells each say which column they are.
    page.goto(f"{served}/chapters/human-cost.html", wait_until="load")
    label = page.evaluate("""() => { const td = document.querySelector('table.stacked-table td[data-label]');
        return getComputedStyle(td, '::before').content; }""")
    page.locator("table.stacked-table").first.screenshot(path=str(ARTIFACTS / "reading-table-phone.png"))
    context.close()
    assert problems == []
    assert label == '"What is counted"', label


@pytest.mark.slow
def test_pinpoints_are_large_enough_on_the_desktop(book_html, served, chromium):
    context = _context(chromium)
    page = context.new_page()
    problems = []
    for rel in ("index.html", "chapters/human-cost.html", "chapters/glossary.html"):
        page.goto(f"{served}/{rel}", wait_until="load")
        problems += layout_problems(page.evaluate(LAYOUT), rel, 1280)
    context.close()
    assert problems == []


POPOVER = "span.pinpoint-popover"


def popover_problems(browser, base: str, rel: str, block_script: bool = False) -> list[str]:
    """Keyboard (focus opens, Tab reaches its ¶ link, Escape closes and gives focus back), mouse
    (hover opens) and touch (a tap opens without leaving, a second tap follows) on ``rel``'s
    first ¶ links; the popover quotes the link's passage and stays on a 390 px screen."""
    problems = []
    context = _context(browser)
    if block_script:
        context.route(re.compile(r"/briefing-reading\.js"), lambda route: route.abort())
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/{rel}", wait_until="load")
    links = page.locator("article a.pinpoint[data-passage]:visible")
    first = links.nth(0)
    first.focus()
    popover = page.locator(POPOVER)
    if not popover.is_visible():
        problems.append(f"{rel}: focus on a ¶ link shows no popover")
    else:
        passage = first.get_attribute("data-passage").split("\n")[0]
        if passage not in popover.inner_text():
            problems.append(f"{rel}: the popover does not quote the link's passage")
        page.keyboard.press("Tab")
        if not page.evaluate("document.activeElement.matches('.pinpoint-popover a')"):
            problems.append(f"{rel}: Tab from the ¶ link does not reach the link in its popover")
        page.keyboard.press("Escape")
        if popover.count() or not page.evaluate("document.activeElement.matches('a.pinpoint')"):
            problems.append(f"{rel}: Escape does not close the popover and give focus back to its ¶ link")
    page.evaluate("document.activeElement.blur()")
    links.nth(1).hover()
    page.wait_for_timeout(50)
    if not popover.is_visible():
        problems.append(f"{rel}: hovering a ¶ link shows no popover")
    context.close()

    phone = _context(browser, width=PHONE, has_touch=True, is_mobile=True)
    if block_script:
        phone.route(re.compile(r"/briefing-reading\.js"), lambda route: route.abort())
    page = phone.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/{rel}", wait_until="load")
    link = page.locator("article a.pinpoint[data-passage]:visible").nth(0)
    href = link.get_attribute("href")
    link.tap()
    page.wait_for_timeout(100)
    if page.url.split("#")[0] != f"{base}/{rel}" or not page.locator(POPOVER).is_visible():
        problems.append(f"{rel}: a tap on a ¶ link does not open its popover in place")
    else:
        box = page.locator(POPOVER).bounding_box()
        if box["x"] < 0 or box["x"] + box["width"] > PHONE:
            problems.append(f"{rel}: the popover runs off a {PHONE}px screen ({box})")
        page.wait_for_timeout(600)  # two taps in quick succession would be a double tap
        link.tap()
        try:
            page.wait_for_url(re.compile(re.escape("#" + href.rpartition("#")[2]) + "$"), timeout=5000)
        except Exception:
            problems.append(f"{rel}: a second tap does not follow the ¶ link ({page.url})")
    phone.close()
    return problems + [f"{rel}: script error: {e}" for e in errors]


@pytest.mark.slow
def test_popover_problems_are_found(served, chromium):
    problems = popover_problems(chromium, served, "chapters/human-cost.html", block_script=True)
    assert problems == ["chapters/human-cost.html: focus on a ¶ link shows no popover",
                        "chapters/human-cost.html: hovering a ¶ link shows no popover",
                        "chapters/human-cost.html: a tap on a ¶ link does not open its popover in place"]


@pytest.mark.slow
@pytest.mark.parametrize("rel", ["chapters/human-cost.html", "index.html", "sources/kg24news2022guterres.html"])
def test_popover_by_keyboard_mouse_and_touch(served, chromium, rel):
    assert popover_problems(chromium, served, rel) == []


def _axe(page) -> list[str]:
    page.add_script_tag(content=resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8"))
    result = json.loads(page.evaluate("async () => JSON.stringify(await axe.run(document, {resultTypes: ['violations']}))"))
    return [f"{v['id']}: {v['help']}: {n['target']}" for v in result["violations"] for n in v["nodes"]]


@pytest.mark.slow
@pytest.mark.parametrize("theme, width", [("light", 1280), ("dark", 1280), ("light", PHONE)])
def test_popover_and_cite_block_are_axe_clean(served, chromium, theme, width):
    context = _context(chromium, theme, width)
    page = context.new_page()
    page.goto(f"{served}/chapters/human-cost.html", wait_until="load")
    page.evaluate("() => { document.querySelector('#cite-this-page details').open = true; }")
    page.locator("article a.pinpoint[data-passage]:visible").nth(2).focus()
    assert page.locator(POPOVER).is_visible()
    page.locator(POPOVER).screenshot(path=str(ARTIFACTS / f"reading-popover-{theme}-{width}.png"))
    problems = _axe(page)
    assert page.locator(POPOVER).is_visible()
    context.close()
    assert problems == []


@pytest.mark.slow
def test_cite_this_page_copies(served, chromium):
    """Folded until opened; each entry has a named copy button, which copies the entry, and
    where the clipboard is refused selects it and says so, without a script error."""
    errors: list[str] = []
    results = {}
    for allowed in (True, False):
        context = _context(chromium)
        if allowed:
            context.grant_permissions(["clipboard-read", "clipboard-write"])
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{served}/sources/interfax2022withdrawal.html", wait_until="load")
        assert not page.locator("#cite-this-page pre.cite-bibtex").first.is_visible()
        page.locator("#cite-this-page summary").click()
        buttons = page.get_by_role("button", name=re.compile("^Copy BibTeX"))
        assert buttons.count() == 2
        if not allowed:
            page.evaluate("() => { navigator.clipboard.writeText = () => Promise.reject(new Error('denied')); }")
        buttons.nth(0).click()
        page.wait_for_timeout(200)
        entry = page.locator("#cite-this-page pre.cite-bibtex").nth(0).inner_text()
        results[allowed] = (page.locator(".cite-copy-status").nth(0).inner_text(),
                            page.evaluate("navigator.clipboard.readText()") if allowed
                            else page.evaluate("window.getSelection().toString()"), entry)
        context.close()
    assert errors == []
    status, copied, entry = results[True]
    assert status == "Copied." and copied.strip() == entry.strip()
    status, selected, entry = results[False]
    assert status.startswith(("Selected", "Copied")) and selected.strip() == entry.strip()


SHOTS = {"front": "index.html", "chapter": "chapters/human-cost.html",
         "source": "sources/interfax2022withdrawal.html", "map": "chapters/clashes.html"}


@pytest.mark.slow
@pytest.mark.parametrize("variant, theme, width", [("light", "light", 1280), ("dark", "dark", 1280), ("phone", "light", PHONE)])
def test_screenshots(served, chromium, variant, theme, width):
    ARTIFACTS.mkdir(exist_ok=True)
    context = _context(chromium, theme, width)
    page = context.new_page()
    for name, rel in SHOTS.items():
        page.goto(f"{served}/{rel}", wait_until="load")
        assert page.evaluate("document.body.dataset.theme") == theme
        shot = ARTIFACTS / f"reading-{name}-{variant}.png"
        if name == "map":
            page.locator("figure.briefing-chart").first.screenshot(path=str(shot))
        else:
            page.screenshot(path=str(shot))
        assert shot.stat().st_size > 5000, shot
    context.close()
