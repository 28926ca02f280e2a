"""The links, anchors and images of a built HTML site, checked with the standard library alone.

``check_site`` reads every page of an output directory once and reports, with the page and the
line of the offending tag:

- an internal link or resource that leads to no file, or out of the site;
- a ``#fragment`` that names no ``id`` (or ``<a name>``) in the page it points to;
- an image whose file is missing, or that has no alt text (unless allowed as decorative);
- a page that no chain of links from the root page reaches (an orphan);
- an external URL that is not well-formed, or that uses plain ``http://`` for a host not allowed;
- a resource fetched from another host (a script, style sheet, font, icon, image, frame or media
  element, a CSS ``url()`` or ``@import``), in a page or in a style sheet under ``_static``: the
  book loads nothing from anywhere else. A link a reader follows is not a load.

Pages are read once into briefing.htmlpage's model.

The Sphinx extension ``briefing_links`` is a thin wrapper around this module; the tests call it too.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import hashlib
import json
import os
import posixpath
import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import Problem  # kinds: internal, fragment, image, alt, orphan, url, http, third-party, allow-list
from .htmlpage import (Image, Load, Page, Ref, css_loads, parse_page, read_page, srcset_urls,  # noqa: F401
                       third_party)

# Directories that hold the builder's assets rather than pages: their files are link targets, but
# are not scanned as pages themselves.
ASSET_DIRS = ("_static", "_sources", "_images", "_downloads")
PAGE_SUFFIXES = (".html", ".htm")
# Fragments that need no anchor: "#" and "#top" scroll to the top of a page (HTML standard). A
# fragment starting ":~:" (a text fragment) needs none either: check_site tests that prefix itself.
FREE_FRAGMENTS = ("", "top")
# How a defect on a page with no source document is explained, by kind.
SOURCE_NONE = "not built from a source document: the link comes from a template or the theme"
STRAY_PAGE = "not built from a source document: perhaps left from an earlier build"

_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)\Z")
_BAD_URL_CHARS = re.compile(r"[\x00-\x20\x7f<>\"{}|\\^`]")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


@dataclass
class Report:
    pages: int = 0
    read: int = 0  # pages whose bytes were new to the cache (parsed); the others' anchors came from it
    checked: int = 0  # pages checked anew; the others' findings came from the cache
    links: int = 0
    problems: list[Problem] = field(default_factory=list)


def load_allow_list(path: Path, shown: str) -> tuple[dict[str, str], list[Problem]]:
    """Entries of an allow list kept as data: one per line, each followed by ``# why``.

    An entry without a reason is reported, so that every exception to a rule is explained.
    """
    entries: dict[str, str] = {}
    problems: list[Problem] = []
    if not path.is_file():
        return entries, problems
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        entry, _, reason = raw.partition("#")
        entry, reason = entry.strip(), reason.strip()
        if not entry:
            continue
        if not reason:
            problems.append(Problem(shown, number, f"'{entry}' is allowed without a reason",
                                    "say why after '#' on the same line, or remove the line", "allow-list"))
        entries[entry.lower()] = reason
    return entries, problems


def url_problem(url: str, http_hosts=frozenset()) -> tuple[str, str] | None:
    """(kind, what is wrong) for an external URL, or None when it is well-formed and allowed."""
    if _BAD_URL_CHARS.search(url):
        return "url", "contains a space or a character that must be percent-encoded"
    if _BAD_PERCENT.search(url):
        return "url", "has a '%' that does not start a percent-escape"
    if url.startswith("//"):
        return "url", "has no scheme: write https://"
    try:
        parts = urlsplit(url)
        parts.port  # raises ValueError on a bad port
    except ValueError as err:
        return "url", f"cannot be parsed ({err})"
    host = parts.hostname
    if not parts.netloc or not host:
        return "url", "has no host: write scheme://host/path"
    if not parts.netloc.startswith("["):
        try:
            ascii_host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return "url", f"has an invalid host name '{host}'"
        labels = ascii_host.rstrip(".").split(".")
        if len(labels) < 2 or not all(_HOST_LABEL.match(label) for label in labels):
            return "url", f"has an invalid host name '{host}'"
    if parts.scheme.lower() == "http" and host.lower() not in http_hosts:
        return "http", f"uses plain http:// for host '{host}'"
    return None


# The same URLs recur on every page (the theme's navigation, the links to each source): what a
# URL is, and where it leads from a directory, are worked out once per process.
@functools.lru_cache(maxsize=65536)
def _external(url: str) -> bool:
    return url.startswith("//") or urlsplit(url).scheme.lower() in ("http", "https")


@functools.lru_cache(maxsize=65536)
def _other_scheme(url: str) -> bool:
    """mailto:, tel:, data:, javascript: and the like: nothing to check in the site."""
    return bool(urlsplit(url).scheme) and not _external(url)


def resolve(page: str, url: str) -> tuple[str | None, str]:
    """The site-relative path an internal URL on ``page`` points to (None if it leaves the site),
    and its decoded fragment."""
    target, fragment = _resolve_from(posixpath.dirname(page), url)
    return (page if target == "" else target), fragment


@functools.lru_cache(maxsize=65536)
def _resolve_from(directory: str, url: str) -> tuple[str | None, str]:
    """``resolve`` for a page in ``directory``; "" for the page itself (a URL with no path)."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if not path:
        return "", unquote(parts.fragment)
    if path.startswith("/"):
        target = posixpath.normpath(path.lstrip("/") or ".")
    else:
        target = posixpath.normpath(posixpath.join(directory, path))
    if target == ".." or target.startswith("../"):
        return None, unquote(parts.fragment)
    if path.endswith("/") or target == ".":
        target = posixpath.join("" if target == "." else target, "index.html")
    return target, unquote(parts.fragment)


def _walk(outdir: Path) -> tuple[set[str], set[str], list[str]]:
    """All files and directories of the site, and the pages to scan, as relative paths."""
    files: set[str] = set()
    dirs: set[str] = set()
    pages: list[str] = []
    for current, subdirs, names in os.walk(outdir):
        rel = Path(current).relative_to(outdir).as_posix()
        rel = "" if rel == "." else rel
        subdirs.sort()
        for sub in subdirs:
            dirs.add(posixpath.join(rel, sub))
        for name in sorted(names):
            path = posixpath.join(rel, name)
            files.add(path)
            if name.endswith(PAGE_SUFFIXES) and rel.split("/")[0] not in ASSET_DIRS:
                pages.append(path)
    return files, dirs, pages


@dataclass(frozen=True)
class _Verdict:
    """What checking one page found, and what it rested on: the same page (by digest) in the same
    site (its files, the settings of the check) linking to pages with the same anchors is found
    the same again. A linked page is asked only which anchors it has, so a page whose words
    changed and whose anchors did not (every page links to every chapter) need not be checked
    again."""

    site: str  # digest of the site's files and the check's settings
    source: str | None  # the source file the page was built from, which its messages name
    targets: tuple[tuple[str, str], ...]  # (page linked to, digest of its anchors)
    problems: tuple[Problem, ...]
    links: frozenset[str]  # the pages it leads to, for the orphan rule
    counted: int  # links and images checked


@dataclass(frozen=True)
class _Known:
    """What the cache keeps of a page between builds: its digest, its anchors, its links, and the
    verdict of its last check. A page checked again without being rewritten (an anchor it links to
    changed) is checked from its kept links, not read again. The links are kept as one JSON text,
    made into the page's model only then: thousands of small objects would cost every build more
    to load and save than the few checks that need them."""

    digest: str  # of its bytes (htmlpage.read_page)
    ids: frozenset[str]
    anchors: str  # digest of its ids, which the verdicts of pages linking to it rest on
    links: str  # _links_text(its model)
    verdict: _Verdict | None = None

    def page(self) -> Page:
        refs, images, loads = json.loads(self.links)
        return Page(ids=set(self.ids), refs=[Ref(*ref) for ref in refs], images=[Image(*image) for image in images],
                    loads=[Load(*load) for load in loads])


def _links_text(page: Page) -> str:
    """What a check reads of a page besides its ids: its URLs, images and loads."""
    return json.dumps([[[r.tag, r.attr, r.url, r.line] for r in page.refs],
                       [[i.src, i.alt, i.line] for i in page.images],
                       [[load.what, load.url, load.line] for load in page.loads]], separators=(",", ":"))


def _know(outdir: Path, path: str, cache: dict, parsed: dict[str, Page], report: Report) -> _Known:
    """What is known of the page: from ``cache`` when its bytes are those last read, else read
    and parsed (the model kept in ``parsed`` for this check)."""
    known = cache.get(path)
    digest, page = read_page(outdir / path, known.digest if isinstance(known, _Known) else None)
    if page is None:
        return known
    parsed[path] = page
    report.read += 1
    cache[path] = _Known(digest, frozenset(page.ids), _anchors_digest(page), _links_text(page))
    return cache[path]


@dataclass
class _Site:
    """What the checks of one page need to know of the whole site, and where they put problems."""
    outdir: Path
    files: set[str]              # every file of the site, site-relative
    dirs: set[str]               # every directory, for links that name one
    known: dict[str, _Known]     # page path -> what is known of it (anchors, links, last verdict)
    parsed: dict[str, Page]      # page path -> the page's model, for the pages parsed in this check
    sources: dict[str, str]      # page path -> the source file it was built from
    http_hosts: frozenset[str]   # hosts allowed over plain http (lower case)
    own_hosts: frozenset[str]    # the book's own hosts, from which a page may load
    decorative: tuple[str, ...]  # glob patterns of images allowed an empty alt
    allow_file: str              # the allow lists, named in the advice
    decorative_file: str
    report: Report

    def anchors(self, target: str) -> set[str] | frozenset[str]:
        if target in self.known:
            return self.known[target].ids
        return self.page(target).ids  # an HTML file among the assets

    def page(self, path: str) -> Page:
        """The page's model: parsed in this check, made from what the cache kept of it, or (an
        HTML file among the assets) parsed now."""
        if path not in self.parsed:
            self.parsed[path] = self.known[path].page() if path in self.known else \
                parse_page((self.outdir / path).read_text(encoding="utf-8", errors="replace"))
        return self.parsed[path]

    def add(self, path: str, line: int, kind: str, what: str, todo: str) -> None:
        source = self.sources.get(path)
        origin = f"page built from {source}" if source else STRAY_PAGE if kind == "orphan" else SOURCE_NONE
        self.report.problems.append(Problem(path, line, f"{what} ({origin})", todo, kind))


def check_site(outdir: Path | str, root: str = "index.html", http_hosts=frozenset(),
               decorative=(), sources: dict[str, str] | None = None,
               allow_file: str = "data/http-allowed-hosts.txt",
               decorative_file: str = "data/decorative-images.txt", cache: dict | None = None,
               own_hosts=frozenset()) -> Report:
    """Check every page under ``outdir``.

    ``root`` is the page every other page must be reachable from; ``http_hosts`` the hosts that
    may be linked over plain http; ``decorative`` glob patterns (site-relative) of images allowed
    an empty alt; ``sources`` maps a page to the source file it was built from, for the messages;
    ``cache`` (kept by the caller between builds) holds what was learnt of each page, so that a
    rebuild re-reads only the pages it rewrote and checks again only the pages whose bytes, or
    whose linked pages' anchors, changed (or all, if a file came or went, or a setting changed);
    ``own_hosts`` the book's own hosts (html_baseurl's), from which a page may load.
    """
    outdir = Path(outdir)
    files, dirs, page_paths = _walk(outdir)
    cache = {} if cache is None else cache
    for gone in set(cache) - set(page_paths):
        del cache[gone]
    report = Report(pages=len(page_paths))
    parsed: dict[str, Page] = {}
    known = {path: _know(outdir, path, cache, parsed, report) for path in page_paths}
    own = frozenset(host.lower() for host in own_hosts)
    # The book's own host serves it over whatever scheme its address names: its canonical and
    # Open Graph links to itself are not links to a site that should have been https.
    site = _Site(outdir, files, dirs, known, parsed, sources or {},
                 frozenset(host.lower() for host in http_hosts) | own, own, tuple(decorative), allow_file,
                 decorative_file, report)
    # A page whose bytes are those last checked in the same site, linking to pages with the same
    # anchors, is found as before (a rebuild rewrites a few pages; the others' links need no new look).
    site_digest = hashlib.sha256(repr((sorted(files), sorted(dirs), sorted(site.http_hosts), sorted(site.own_hosts),
                                       site.decorative, allow_file, decorative_file)).encode()).hexdigest()
    anchors = {path: found.anchors for path, found in known.items()}
    links: dict[str, set[str]] = {}  # page -> the pages it links to
    for path in page_paths:
        verdict = known[path].verdict
        if verdict is None or verdict.site != site_digest or verdict.source != site.sources.get(path) or \
                any(anchors.get(target) != digest for target, digest in verdict.targets):
            verdict = _check_page(site, path, site_digest, anchors)
            report.checked += 1
            cache[path] = dataclasses.replace(known[path], verdict=verdict)
        report.problems += verdict.problems
        report.links += verdict.counted
        links[path] = set(verdict.links)
    if root in known:
        for path in _orphans(page_paths, root, links):
            site.add(path, 1, "orphan", f"page {path} is reached by no chain of links from {root}",
                     "add it to a toctree or link to it from a page that is, or remove it")
    report.problems += _style_sheet_loads(outdir, files, site.own_hosts)
    report.problems.sort(key=Problem.sort_key)
    return report


def _anchors_digest(page: Page) -> str:
    return hashlib.sha256("\n".join(sorted(page.ids)).encode()).hexdigest()


def _check_page(site: _Site, path: str, site_digest: str, anchors: dict[str, str]) -> _Verdict:
    """Check one page's loads, links and images, into a report of the page's own."""
    site = dataclasses.replace(site, report=Report())
    page = site.page(path)
    for load in page.loads:
        if third_party(load.url, site.own_hosts):
            site.add(path, load.line, "third-party", f"{load.what} loads {load.url}", LOCAL_ONLY)
    linked = {target for ref in page.refs if (target := _check_ref(site, path, ref))}
    for image in page.images:
        _check_image(site, path, image)
    # A link into an HTML file that is not a page (no digest) makes the verdict one not to keep.
    targets = tuple(sorted((target, anchors.get(target, "")) for target in linked if target.endswith(PAGE_SUFFIXES)))
    return _Verdict(site_digest, site.sources.get(path), targets, tuple(site.report.problems), frozenset(linked),
                    site.report.links)


def _check_ref(site: _Site, path: str, ref: Ref) -> str | None:
    """Check one link or resource URL of the page ``path``; the page it leads to, if any."""
    site.report.links += 1
    url = ref.url.strip()
    if _external(url):
        problem = url_problem(url, site.http_hosts)
        if problem and problem[0] == "http":
            site.add(path, ref.line, "http", f"external link '{url}' {problem[1]}",
                     f"link to https://, or, if the site serves only http, add '{urlsplit(url).hostname}' "
                     f"to {site.allow_file} with the reason")
        elif problem:
            site.add(path, ref.line, "url", f"external link '{url}' is not a well-formed URL: it {problem[1]}",
                     "correct the URL")
        return None
    if _other_scheme(url):
        return None
    target, fragment = resolve(path, url)
    noun = "image" if ref.tag in ("img", "source") else "link"
    if target is None:
        site.add(path, ref.line, "internal", f"{noun} '{url}' leads outside the built book",
                 "link to a page of the book, or write the full https:// address")
        return None
    if target not in site.files:
        if target in site.dirs and posixpath.join(target, "index.html") in site.files:
            target = posixpath.join(target, "index.html")
        else:
            site.add(path, ref.line, "image" if noun == "image" else "internal",
                     f"{noun} '{url}' leads to no file in the built book"
                     + (f"; there is no {target}" if target != url else ""),
                     "correct the path, or add the file it names to the sources")
            return None
    if not target.endswith(PAGE_SUFFIXES):
        return None
    if fragment not in FREE_FRAGMENTS and not fragment.startswith(":~:") and fragment not in site.anchors(target):
        where = "this page" if target == path else target
        site.add(path, ref.line, "fragment",
                 f"link '{url}' names the anchor '#{fragment}', which {where} does not have",
                 "link to an existing heading, label or paragraph anchor, or add a label "
                 "(in MyST, '(name)=' above a heading)")
    return target


def _check_image(site: _Site, path: str, image: Image) -> None:
    """An ``<img>`` of the page ``path``: its file, or its address, and its alt text."""
    site.report.links += 1
    if not (image.src or "").strip():
        site.add(path, image.line, "image", "image without a src", "give the image a file")
        return
    src = image.src.strip()
    target = None
    if _external(src):
        problem = url_problem(src, site.http_hosts)
        if problem:
            site.add(path, image.line, problem[0], f"image '{src}' {problem[1]}", "correct the address")
    elif not _other_scheme(src):
        target, _ = resolve(path, src)
        if target is None or target not in site.files:
            site.add(path, image.line, "image", f"image '{src}' is not in the built book"
                     + (f"; there is no {target}" if target and target != src else ""),
                     "correct the path, or add the image to the sources")
    if (image.alt or "").strip():
        return
    if image.alt is not None and target and any(fnmatch.fnmatchcase(target, pattern)
                                                for pattern in site.decorative):
        return  # an allowed decorative image (alt="" present, pattern in the allow list)
    missing = "no alt attribute" if image.alt is None else "an empty alt text"
    site.add(path, image.line, "alt", f"image '{src}' has {missing}",
             "describe what it shows in its alt text (in MyST, ![what it shows](path)); a purely "
             f"decorative theme image may instead be listed in {site.decorative_file} with the reason")


def _orphans(page_paths: list[str], root: str, links: dict[str, set[str]]) -> list[str]:
    """The pages that no chain of links from ``root`` reaches, in ``page_paths`` order."""
    seen = {root}
    queue = deque([root])
    while queue:
        for target in links.get(queue.popleft(), ()):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return [path for path in page_paths if path not in seen]


LOCAL_ONLY = ("serve it from the book's own _static folder, or leave it out: no page loads anything "
              "from another host")


def _style_sheet_loads(outdir: Path, files, own_hosts) -> list[Problem]:
    return [Problem(path, load.line, f"{load.what} loads {load.url}", LOCAL_ONLY, "third-party")
            for path in sorted(f for f in files if f.startswith("_static/") and f.endswith(".css"))
            for load in css_loads((outdir / path).read_text(encoding="utf-8", errors="replace"))
            if third_party(load.url, own_hosts)]


def third_party_loads(outdir: Path | str, own_hosts=frozenset()) -> list[Problem]:
    """Every resource the site at ``outdir`` fetches from another host, in its pages and its
    _static style sheets (the rule check_site applies, on its own)."""
    outdir = Path(outdir)
    own_hosts = frozenset(host.lower() for host in own_hosts)
    files, _, page_paths = _walk(outdir)
    problems = [Problem(path, load.line, f"{load.what} loads {load.url}", LOCAL_ONLY, "third-party")
                for path in page_paths
                for load in parse_page((outdir / path).read_text(encoding="utf-8", errors="replace")).loads
                if third_party(load.url, own_hosts)]
    return sorted(problems, key=Problem.sort_key) + _style_sheet_loads(outdir, files, own_hosts)
