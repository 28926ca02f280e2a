"""The claims register and the data package, written with the HTML book and linked from it.

- ``data/claims-register.jsonld``: every cited block as a W3C Web Annotation (what the claims
  rule of briefing_claims found: the block's ``claim-…`` address, citation keys, figures, dates,
  quotations and passages); ``data/claims-register.csv`` the same, flat;
  ``data/claims-register.schema.json`` the JSON schema the register follows.
- ``data/datapackage.json`` with ``data/figures.csv`` and ``data/timeline.csv``: the book's data
  as a Frictionless data package, its ``sources`` filled from references.bib.

"How to cite" gains a section linking them; each source page links the register; each data
table links its file and the package. The register's rules are in tools/briefing/register.py.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import shutil
from pathlib import Path
from typing import NamedTuple

from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging

from briefing import kept
from briefing.datafiles import DataError, read_dataset, read_rows
from briefing.metadata import article_from_entry
from briefing.register import Block, Entry, PageText, annotation, entry, register_files
from briefing_claims import block_parts, cite_keys, rules_digest
from briefing_data import FILE_SETTINGS
from briefing_sources import corpus

logger = logging.getLogger(__name__)
WARN = {"type": "briefing", "subtype": "register"}
OUT_DIR = "data"
REGISTER, REGISTER_CSV = "claims-register.jsonld", "claims-register.csv"
# Raised whenever the kept annotations change shape: an older store is then made afresh.
KEPT_VERSION = 3
# The base of the register's addresses when the book has no address of its own (no html_baseurl):
# every id and source must be an absolute IRI (W3C Web Annotation), and a host under the reserved
# top-level domain .invalid (RFC 2606) can never be taken for a real one. A reader resolves an
# address by replacing this base with wherever the book's folder lies.
UNHOSTED_BASE = "https://briefing-book.invalid/"


class download(nodes.Inline, nodes.TextElement):
    """A link to a file the build writes into the HTML output's data/ folder; resolved per page."""


def _html_only(app) -> bool:
    # The hosted HTML book only: the e-book (also HTML) packs no downloads.
    return app.builder.format == "html" and not app.builder.name.startswith("epub")


# --- collecting the blocks --------------------------------------------------------------------

def _data_rows(app) -> dict[str, dict]:
    rows, root = {}, Path(app.srcdir)
    for name, setting in FILE_SETTINGS.items():
        try:
            found, _ = read_rows(root, app.config[setting], read_dataset(root, name))
        except DataError:
            continue  # the data tables report it
        rows.update({row.location: row.cells for row in found})
    return rows


class PageBlocks(NamedTuple):
    """A page's cited blocks, each with a digest of all it holds: a rebuild knows which blocks
    changed from the digests kept in the environment, without putting every block in words."""

    blocks: tuple[Block, ...]
    digests: tuple[str, ...]


def _digest(value) -> str:
    # repr, not pickle: pickle's bytes depend on which equal strings happen to be one object.
    return hashlib.sha256(repr(value).encode()).hexdigest()


def collect_blocks(app, doctree) -> None:
    """After the claims rule (doctree-read, priority 500): one record per cited block."""
    env = app.env
    blocks: list[Block] = []
    rows = None
    # A source page's annotation rests on the page's own source (as the claims rule reads it).
    page_source = [source.key] if (source := corpus(app.env).source_on_page(env.docname)) else []
    for node in doctree.findall(nodes.Element):
        claim = next((i for i in node.get("ids", []) if i.startswith("claim-")), None)
        if claim is None:
            continue
        text, cites, derived = block_parts(node)
        found = [tuple(ref) for ref in node.get("briefing-passages", ())]
        origin = node.get("briefing-origin")
        extra = {}
        if isinstance(origin, str):
            rows = rows if rows is not None else _data_rows(app)
            row = rows.get(origin, {})
            extra = {"data_row": origin, "voice": row.get("reported_by", ""),
                     "as_of": row.get("as_of") or row.get("date", ""),
                     "as_of_text": row.get("as_of_text") or row.get("when", "")}
        # The citations are left out of the text: close the gaps they leave before punctuation.
        text = re.sub(r"\s+([.,;:!?)])", r"\1", " ".join(text.split()))
        blocks.append(Block(doc=env.docname, claim_id=claim, text=text,
                            keys=tuple(dict.fromkeys(page_source + cite_keys(cites))),
                            derived=tuple(d.spec for d in derived),
                            passages=tuple(found), **extra))
    env.briefing_register[env.docname] = PageBlocks(tuple(blocks), tuple(map(_digest, blocks)))


def init_env(app, env, docnames):
    if not hasattr(env, "briefing_register"):
        env.briefing_register = {}


def purge(app, env, docname):
    env.briefing_register.pop(docname, None)


def merge(app, env, docnames, other):
    for docname in docnames:
        if docname in other.briefing_register:
            env.briefing_register[docname] = other.briefing_register[docname]


# --- links in the pages -----------------------------------------------------------------------

def _link(target: str, label: str) -> download:
    node = download(label, label)
    node["target"] = target
    return node


def _paragraph(*parts) -> nodes.paragraph:
    para = nodes.paragraph()
    for part in parts:
        para += nodes.Text(part) if isinstance(part, str) else part
    return para


def add_links(app, doctree) -> None:
    """Links to the register and the data, for HTML only (the PDF has no files beside it)."""
    docname = app.env.docname
    source = corpus(app.env).source_on_page(docname)
    source_key = source.key if source else None
    if source_key:
        for table in list(doctree.findall(nodes.table)):
            if f"{source_key}-facts" in table["ids"]:
                only = addnodes.only(expr="html")
                only += _paragraph(
                    "Every block of the book that cites this article, with the paragraphs it rests "
                    "on, is in the claims register: ", _link(REGISTER, "JSON-LD (W3C Web Annotations)"),
                    ", ", _link(REGISTER_CSV, "CSV"), " (see ",
                    _ref_how_to_cite(app, "how to cite"), ").")
                table.parent.insert(table.parent.index(table) + 1, only)
    files = {app.config.briefing_figures_file: "figures.csv", app.config.briefing_timeline_file: "timeline.csv"}
    for table in list(doctree.findall(nodes.table)):
        origins = {str(row.get("briefing-origin", "")).rsplit(":", 1)[0] for row in table.findall(nodes.row)}
        names = sorted(files[path] for path in origins if path in files)
        if not names:
            continue
        only = addnodes.only(expr="html")
        parts = ["Download the data of this table: "]
        for n, name in enumerate(names):
            parts += [", "] if n else []
            parts.append(_link(name, name))
        parts += [", described with its sources in the data package ", _link("datapackage.json", "datapackage.json"), "."]
        only += _paragraph(*parts)
        only[0]["classes"].append("data-download")
        table.parent.insert(table.parent.index(table) + 1, only)


def _ref_how_to_cite(app, label: str):
    ref = addnodes.pending_xref("", nodes.inline(label, label), refdomain="std", reftype="doc",
                                reftarget="/" + app.config.briefing_register_page, refexplicit=True,
                                refwarn=True)
    return ref


def add_reuse_section(app, doctree) -> None:
    """A section of "How to cite" on the register and the data (read before the table of
    contents is collected, so that it is listed there)."""
    if app.env.docname != app.config.briefing_register_page:
        return
    top = next(iter(doctree.findall(nodes.section)), None)
    if top is None:
        return
    section = nodes.section(ids=["reusing-the-claims-and-the-data"], names=["reusing the claims and the data"])
    section += nodes.title("", "Reusing the claims and the data")
    section += _paragraph(
        "Reference managers read each page's own record: the Zotero Connector or the Mendeley Web "
        "Importer saves a chapter as a section of the book, and on a source page or the "
        "bibliography it offers the source article itself, with its outlet, headline, date and "
        "address.")
    section += _paragraph(
        "The claims register lists every cited block of the book as a W3C Web Annotation: the "
        "block's text and address, the citation keys, the figures, dates and quotations found in "
        "it, and each source paragraph it rests on, located by its anchor and by the exact words "
        "with their context: ", _link(REGISTER, "claims-register.jsonld"), ", the same as a flat table ",
        _link(REGISTER_CSV, "claims-register.csv"), ", and the JSON schema they follow ",
        _link("claims-register.schema.json", "claims-register.schema.json"), ".")
    section += _paragraph(
        "The reported figures and the timeline are ", _link("figures.csv", "figures.csv"), " and ",
        _link("timeline.csv", "timeline.csv"), ", described (fields, types, sources, and which "
        "columns quote the sources) by the Frictionless data package ",
        _link("datapackage.json", "datapackage.json"), ".")
    only = addnodes.only(expr="html")
    only += section
    top += only


def resolve_links(app, doctree, docname) -> None:
    for node in list(doctree.findall(download)):
        if not _html_only(app):
            node.replace_self(nodes.Text(node.astext()))
            continue
        here = posixpath.dirname(app.builder.get_target_uri(docname))
        uri = posixpath.relpath(f"{OUT_DIR}/{node['target']}", here or ".")
        node.replace_self(nodes.reference(node.astext(), node.astext(), refuri=uri, internal=True,
                                          classes=["download-link"]))


# --- writing the files ------------------------------------------------------------------------

def _register(app, rules: str) -> tuple[str, str]:
    """The register's two files (JSON-LD, CSV)."""
    env = app.env
    sources = corpus(app.env).sources
    base = register_base(app)

    def address(docname):
        return base + (app.builder.get_target_uri(docname) or "index.html")

    source_urls = {key: address(s.page) for key, s in sources.items() if s.page in env.all_docs}
    # The quotes' contexts are taken from the built source pages (written before build-finished).
    page_files = {key: Path(app.outdir) / app.builder.get_target_uri(s.page)
                  for key, s in sources.items() if key in source_urls}
    page_bytes = {key: path.read_bytes() for key, path in page_files.items() if path.is_file()}
    # Each annotation, with its text in each file, is kept between builds under what it is made of
    # (the block, its page's address, its sources' records, addresses and built pages): an edit
    # redoes the edited blocks only, and the blocks citing a source page whose text changed. A
    # source's part is put in words once, not once for each block citing it.
    source_parts = {key: _digest((source, source_urls.get(key), hashlib.sha256(page_bytes.get(key, b"")).hexdigest()))
                    for key, source in sources.items()}
    cache_path = Path(app.doctreedir) / "briefing-register-annotations.pickle"
    # Kept as (JSON-LD line, CSV rows): a plain tuple pickles in half the time of an Entry.
    kept_entries, made, order, new = kept.load(cache_path, rules=rules, version=KEPT_VERSION), {}, [], {}
    for docname in sorted(env.briefing_register):
        page = address(docname)
        found = env.briefing_register[docname]
        for block, digest in zip(found.blocks, found.digests):
            used = sorted({key for key, _ in block.passages})
            made_of = _digest((digest, page, [(k, source_parts.get(k)) for k in used]))
            order.append(made_of)
            if made_of in made or made_of in new:
                continue
            if made_of in kept_entries:
                made[made_of] = kept_entries[made_of]
            else:
                new[made_of] = (block, page)
    # The sources are indexed only if a block's annotation must be made anew.
    if new:
        indexes = {key: corpus(env).index(key) for key in sources}
        pages = {key: PageText(data.decode("utf-8")) for key, data in page_bytes.items()}
        for made_of, (block, page) in new.items():
            made_entry = entry(annotation(block, page, sources, indexes, source_urls, pages))
            made[made_of] = (made_entry.json_line, made_entry.csv_rows)
    kept.save(cache_path, made, rules=rules, version=KEPT_VERSION)
    entries = [Entry(*made[made_of]) for made_of in order]
    register_id = base + f"{OUT_DIR}/{REGISTER}"
    return register_files(entries, register_id, f"The claims of {app.config.project}, version "
                                                f"{app.config.release}, and the passages they rest on")


def register_base(app) -> str:
    """The address the register's IRIs start from: the book's own, or the documented stand-in."""
    return app.config.html_baseurl or UNHOSTED_BASE


def _source_pages_digest(app) -> str:
    sources = corpus(app.env).sources
    digest = hashlib.sha256()
    for key, source in sorted(sources.items()):
        if source.page in app.env.all_docs:
            path = Path(app.outdir) / app.builder.get_target_uri(source.page)
            digest.update(key.encode() + b"\0" + (path.read_bytes() if path.is_file() else b""))
    return digest.hexdigest()


def _datapackage(app) -> dict:
    path = Path(app.srcdir) / app.config.briefing_datapackage
    package = json.loads(path.read_text(encoding="utf-8"))
    entries = app.env.get_domain("cite").bibdata.data.entries
    package["sources"] = []
    for key, bib_entry in entries.items():
        article = article_from_entry(key, bib_entry)
        package["sources"].append({"title": f"{article.outlet}: {article.title} ({article.date}) [{key}]",
                                   "path": article.url})
    return package


def write_files(app, exception) -> None:
    if exception is not None or not _html_only(app):
        return
    out = Path(app.outdir) / OUT_DIR
    out.mkdir(parents=True, exist_ok=True)
    # The register is rebuilt only when what it is made of changed: its blocks, the archived
    # texts, the addresses and the release (a second or more of work on every build otherwise).
    rules = rules_digest()  # the code an annotation is made by: a change to it redoes them all
    inputs = _digest((sorted((doc, found.digests) for doc, found in app.env.briefing_register.items()),
                      sorted((key, s.sha256, s.page) for key, s in corpus(app.env).sources.items()),
                      app.config.html_baseurl, app.config.release, app.config.project, rules,
                      _source_pages_digest(app),
                      # The stamp is the output folder's: builders share the doctree folder.
                      app.builder.name, str(Path(app.outdir).resolve())))
    stamp = Path(app.doctreedir) / "briefing-register.sha256"
    written = (out / REGISTER).is_file() and (out / REGISTER_CSV).is_file()
    if not (written and stamp.is_file() and stamp.read_text(encoding="utf-8") == inputs):
        register_json, register_csv = _register(app, rules)
        (out / REGISTER).write_text(register_json, encoding="utf-8")
        (out / REGISTER_CSV).write_text(register_csv, encoding="utf-8")
        stamp.write_text(inputs, encoding="utf-8")
    srcdir = Path(app.srcdir)
    for option in ("briefing_register_schema", "briefing_figures_file", "briefing_timeline_file"):
        rel = app.config[option]
        if (srcdir / rel).is_file():
            shutil.copyfile(srcdir / rel, out / Path(rel).name)
        else:
            logger.warning(f"{rel} is missing; restore it", location=rel, **WARN)
    (out / "datapackage.json").write_text(json.dumps(_datapackage(app), ensure_ascii=False, indent=1) + "\n",
                                          encoding="utf-8")


def setup(app):
    app.setup_extension("briefing_claims")
    app.setup_extension("briefing_tables")
    app.add_node(download)
    app.add_config_value("briefing_register_page", "chapters/how-to-cite", "env", types=frozenset({str}))
    app.add_config_value("briefing_register_schema", "data/claims-register.schema.json", "html",
                         types=frozenset({str}))
    app.add_config_value("briefing_datapackage", "data/datapackage.json", "html", types=frozenset({str}))
    app.connect("env-before-read-docs", init_env)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    # After the claims rule (priority 500) has given each cited block its id and passages.
    app.connect("doctree-read", collect_blocks, priority=600)
    app.connect("doctree-read", add_links, priority=600)
    app.connect("doctree-read", add_reuse_section, priority=450)
    app.connect("doctree-resolved", resolve_links)
    # Before briefing_links checks the links of the built pages (priority 500).
    app.connect("build-finished", write_files, priority=400)
    return {"version": "1.0", "env_version": 2, "parallel_read_safe": True, "parallel_write_safe": True}
