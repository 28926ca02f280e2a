"""What reference managers read from a page: Highwire Press ``citation_*`` and Dublin Core meta
tags, schema.org JSON-LD, and COinS records of the source articles.

Pure Python, no Sphinx. Every value comes from one origin: the book's title, author, language and
version from conf.py; its release date, abstract and keywords from CITATION.cff; each source
article's headline, outlet, date and address from references.bib.
"""

from __future__ import annotations

import functools

import html
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote

import yaml
from pybtex.richtext import Text

from .dates import month_number

# Page kinds, as reference managers should save them (Zotero's item types).
BOOK, CHAPTER, SOURCE_PAGE = "book", "bookSection", "webpage"
# The Open Graph type that leads Zotero's embedded-metadata reader to the same item type: it
# ranks og:type above Dublin Core's type, and reads "website" as a web page whatever else says.
OG_TYPES = {BOOK: "book", CHAPTER: "article", SOURCE_PAGE: "website"}
SCHEMA_TYPES = {BOOK: "Book", CHAPTER: "Chapter", SOURCE_PAGE: "WebPage"}


@dataclass(frozen=True)
class Book:
    title: str  # conf.py project
    author: str  # conf.py author
    version: str  # conf.py release
    language: str  # conf.py language
    released: str  # CITATION.cff date-released, YYYY-MM-DD
    abstract: str  # CITATION.cff abstract
    keywords: tuple[str, ...] = ()  # CITATION.cff keywords
    base_url: str = ""  # conf.py html_baseurl ("" for a copy with no web address)


@dataclass(frozen=True)
class Article:
    """A source article as references.bib records it."""

    key: str
    title: str
    outlet: str
    date: str  # YYYY-MM-DD, or YYYY-MM when the day is not known
    url: str
    extra: dict = field(default_factory=dict)
    language: str = ""  # BCP 47, from the entry's biblatex language key ("english": "en")
    archived_at: str = ""  # the address of the book's archived copy (its source page)


# biblatex's language keys, as BCP 47 tags.
LANGUAGES = {"english": "en", "russian": "ru", "kyrgyz": "ky", "tajik": "tg"}


class _CffLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's, where PyYAML has it
    """YAML's safe loader, dates kept as written (YYYY-MM-DD)."""


_CffLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def read_cff(path: Path) -> dict:
    """CITATION.cff, its dates kept as written (YYYY-MM-DD)."""
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_CffLoader) or {}


def shared_cff(path: Path) -> dict:
    """``read_cff``: the file is read afresh by each call (it is small)."""
    return read_cff(path)


def book_from(project: str, author: str, release: str, language: str, cff: dict,
              base_url: str = "") -> Book:
    return Book(title=project, author=author, version=release, language=language or "en",
                released=str(cff.get("date-released", "")),
                abstract=" ".join(str(cff.get("abstract", "")).split()),
                keywords=tuple(str(k) for k in cff.get("keywords", []) or ()),
                base_url=base_url)


@functools.lru_cache(maxsize=1024)
def plain(latex: str) -> str:
    """A references.bib field as text: braces that protect capitals dropped, LaTeX decoded.
    (Cached: pybtex looks its text backend up among every installed package's entry points on
    each call, which cost seconds a build.)"""
    return " ".join(Text.from_latex(latex).render_as("text").split())


def article_from_entry(key: str, entry) -> Article:
    """``entry``: a pybtex Entry of references.bib."""
    fields = entry.fields
    year = str(fields.get("year", "")).strip()
    month = str(fields.get("month", "")).strip().lower()
    # pybtex spells the bare macro ``sep`` out as "September"
    number = month_number(month)
    day = str(fields.get("day", "")).strip()
    date = year
    if year and number:
        date += f"-{number:02d}"
        if day.isdigit():
            date += f"-{int(day):02d}"
    outlet = fields.get("journal") or fields.get("howpublished", "")
    language = str(fields.get("language", "")).strip().lower()
    return Article(key=key, title=plain(fields.get("title", "")), outlet=plain(outlet),
                   date=date, url=str(fields.get("url", "")).strip(), language=LANGUAGES.get(language, language))


# --- meta tags --------------------------------------------------------------------------------

def highwire_date(iso: str) -> str:
    """Highwire Press (Google Scholar) writes dates as YYYY/MM/DD."""
    return iso.replace("-", "/")


def meta_tags(kind: str, title: str, book: Book, url: str = "") -> list[tuple[str, str]]:
    """(name, content) pairs for a page of ``kind`` titled ``title``; ``url`` is its address
    (empty for a copy with no web address, when no address is claimed)."""
    # The editors are an organisation: Zotero's Embedded Metadata reader splits any citation_author
    # (and DC.creator) into a person's first and last names, so they are given as the publisher,
    # which it keeps whole. The edition is PRISM's, which it reads through its RDF mapping.
    tags = [("citation_title", title), ("citation_publisher", book.author)]
    if book.released:
        tags.append(("citation_publication_date", highwire_date(book.released)))
    if kind != BOOK:
        tags.append(("citation_book_title", book.title))
    tags.append(("citation_language", book.language))
    if book.keywords:
        tags.append(("citation_keywords", "; ".join(book.keywords)))
    if kind == BOOK and book.abstract:
        tags.append(("citation_abstract", book.abstract))
    if url:
        tags.append(("citation_public_url", url))
    tags += [("DC.title", title), ("DC.publisher", book.author)]
    if book.released:
        tags.append(("DC.date", book.released))
    if book.version:
        tags.append(("prism.edition", book.version))
    tags += [("DC.type", kind), ("DC.language", book.language), ("DC.format", "text/html")]
    if kind != BOOK:
        tags.append(("DC.relation.isPartOf", book.title))
    if kind == BOOK and book.abstract:
        tags.append(("DC.description", book.abstract))
    if url:
        tags.append(("DC.identifier", url))
    return tags


# --- schema.org -------------------------------------------------------------------------------

def article_jsonld(article: Article) -> dict:
    data = {"@type": "NewsArticle", "identifier": article.key, "headline": article.title,
            "publisher": {"@type": "Organization", "name": article.outlet}}
    if article.date:
        data["datePublished"] = article.date
    if article.url:
        data["url"] = article.url
    if article.language:
        data["inLanguage"] = article.language
    if article.archived_at:
        data["archivedAt"] = article.archived_at
    return data


def book_jsonld(book: Book, url: str = "") -> dict:
    data = {"@type": "Book", "name": book.title, "author": {"@type": "Organization", "name": book.author},
            "publisher": {"@type": "Organization", "name": book.author},
            "version": book.version, "bookEdition": book.version, "inLanguage": book.language}
    if book.released:
        data["datePublished"] = book.released
    if url:
        data["url"] = url
    return data


def page_jsonld(kind: str, title: str, book: Book, url: str = "", book_url: str = "",
                cites: list[Article] = (), about: Article | None = None) -> dict:
    """The page's schema.org record: the book itself, a chapter of it, or a source page."""
    if kind == BOOK:
        data = book_jsonld(book, url)
        if book.abstract:
            data["abstract"] = book.abstract
        if book.keywords:
            data["keywords"] = list(book.keywords)
    else:
        data = {"@type": SCHEMA_TYPES[kind], "name": title,
                "author": {"@type": "Organization", "name": book.author},
                "inLanguage": book.language, "isPartOf": book_jsonld(book, book_url)}
        if book.released:
            data["datePublished"] = book.released
        if url:
            data["url"] = url
    if about is not None:
        data["about"] = article_jsonld(about)
    if cites:
        data["citation"] = [article_jsonld(article) for article in cites]
    return {"@context": "https://schema.org", **data}


# --- COinS ------------------------------------------------------------------------------------

def coins_fields(article: Article) -> list[tuple[str, str]]:
    """An OpenURL ContextObject in Dublin Core form: Zotero reads rft.type as its item type,
    rft.source as the publication and an http(s) rft.identifier as the URL."""
    fields = [("ctx_ver", "Z39.88-2004"), ("rft_val_fmt", "info:ofi/fmt:kev:mtx:dc"),
              ("rft.type", "newspaperArticle"), ("rft.title", article.title),
              ("rft.source", article.outlet)]
    if article.date:
        fields.append(("rft.date", article.date))
    if article.url:
        fields.append(("rft.identifier", article.url))
    if article.language:
        fields.append(("rft.language", article.language))
    if article.archived_at:
        # Zotero keeps a COinS description as the item's abstract: where the text read was archived.
        fields.append(("rft.description", f"Archived text: {article.archived_at}"))
    return fields


def coins_title(article: Article) -> str:
    return "&".join(f"{name}={quote(value, safe='')}" for name, value in coins_fields(article))


def coins_span(article: Article) -> str:
    """The COinS element; empty, so nothing shows (the title attribute carries the record)."""
    return f'<span class="Z3988" title="{html.escape(coins_title(article))}"></span>'


def parse_coins(title: str) -> dict[str, str]:
    """The fields of a COinS title attribute (for tests and for checking a built page)."""
    pairs = [part.split("=", 1) for part in title.split("&") if "=" in part]
    return {name: unquote(value.replace("+", " ")) for name, value in pairs}

