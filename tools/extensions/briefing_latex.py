"""The PDF: a briefing document, built from the same doctree as the HTML book.

- Front matter as briefing documents have it. A title page (title, subtitle, edition and its
  date, the date of the latest source, and the front page's opening paragraph), then the front
  page's own sections (key judgments, key figures, …) unnumbered, then the contents and the lists
  of tables and figures. The chapters are numbered from the first chapter of the front page's
  toctrees; the pages named by ``briefing_appendices`` follow them as appendices.
- PDF metadata: title, author, subject (the subtitle), keywords (CITATION.cff's), language, in
  the document information and in an XMP stream (hyperxmp); bookmarks for every heading.
- Running heads with each chapter's short title (``briefing_running_heads``, else its title).
- Tables fit the page: a long table breaks across pages (longtable) and a long unbroken token
  (a SHA-256 checksum) may break anywhere.
- The bibliography page goes. Sphinx's LaTeX writer gathers every citation into one
  bibliography at the end of the document, which would leave the page holding the
  ``{bibliography}`` directive as an empty chapter.
- Figures the book computes have a dotted underline, as in HTML; the bibliography's labels hang
  at the width of the longest.
- Every block a link points to gets a label, and a link to another page's block names that
  page. The LaTeX writer labels sections, tables, figures and targets but not paragraphs, list
  items or containers, so links to cited blocks would otherwise point nowhere in the PDF.
"""

from __future__ import annotations

import re
from pathlib import Path

import html

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from briefing.archive import RegistryError, shared_registry
from briefing.dates import date_words
from briefing.metadata import shared_cff

logger = logging.getLogger(__name__)

# Nodes whose ids the LaTeX writer turns into labels itself.
LABELLED = (nodes.section, nodes.target, nodes.table, nodes.figure, nodes.citation, nodes.footnote,
            nodes.literal_block, nodes.math_block, nodes.term, nodes.reference, addnodes.literal_strong,
            addnodes.desc_signature, addnodes.start_of_file)

# A word longer than this may break anywhere in the PDF (a checksum would overrun its column).
LONG_TOKEN = 24


def edition(app) -> dict[str, str]:
    """What the title page, the PDF metadata and the EPUB metadata say of this edition (without
    a character TeX cannot print: check_printable reports it where it is written)."""
    return {key: UNPRINTABLE.sub("", value) for key, value in _edition(app).items()}


def _edition(app) -> dict[str, str]:
    config = app.config
    # CITATION.cff, which a test keeps in step with conf.py: its release date and keywords.
    cff_path = Path(app.srcdir) / config.briefing_citation_file
    cff = shared_cff(cff_path) if cff_path.is_file() else {}
    released = config.briefing_edition_date or str(cff.get("date-released", ""))
    # Read from the registry itself: the PDF's and the e-book's settings are made at config-inited,
    # before the build and its sources (briefing_sources.corpus) exist. check_registry reports an
    # unreadable registry.
    try:
        published = [s.published for s in shared_registry(Path(app.srcdir), config.briefing_sources_file).values()]
    except RegistryError:
        published = []
    return {
        "title": config.project,
        "subtitle": config.briefing_subtitle,
        "author": config.author,
        "release": config.release,
        "edition_date": date_words(released) if released else "",
        "latest_source": date_words(max(published)) if published else "",
        "keywords": ", ".join(cff.get("keywords", [])),
        "language": config.briefing_pdf_language,
    }


def dateline_text(info: dict[str, str]) -> str:
    """"Edition 2026.11, 23 November 2026 · Latest source: 10 October 2022"."""
    line = f"Edition {info['release']}" + (f", {info['edition_date']}" if info["edition_date"] else "")
    return line + (f" · Latest source: {info['latest_source']}" if info["latest_source"] else "")


class Dateline(SphinxDirective):
    """``{dateline}``: the edition, its date and the date of the latest source, above the fold of
    the HTML and e-book front page. Raw HTML: it is the book's own imprint, not a claim, and the
    PDF prints the same line on its title page."""

    def run(self):
        self.env.note_dependency(str(Path(self.env.srcdir) / self.config.briefing_citation_file))
        self.env.note_dependency(str(Path(self.env.srcdir) / self.config.briefing_sources_file))
        text = html.escape(dateline_text(edition(self.env.app)))
        return [nodes.raw("", f'<p class="dateline">{text}</p>\n', format="html")]


# Each character TeX reads as markup, and what prints it. One pass, so that the braces of
# \textbackslash{} are not escaped again; \pdfstringdef (the PDF's metadata) knows them all.
TEX_SPECIALS = {"\\": r"\textbackslash{}", "#": r"\#", "$": r"\$", "%": r"\%", "&": r"\&",
                "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                "^": r"\textasciicircum{}"}
TEX_SPECIAL = re.compile(r"[\\#$%&_{}~^]")
# What no escaping lets TeX print: control characters (XeTeX reads ^^@ and the like as input
# errors or drops them), surrogates and Unicode's non-characters.
UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


def tex_escape(text: str) -> str:
    """Text as LaTeX prints it: every special character escaped, line breaks and tabs spaces."""
    text = re.sub(r"[\t\r\n]+", " ", str(text))
    return TEX_SPECIAL.sub(lambda match: TEX_SPECIALS[match[0]], text)


def title_page_tex(info: dict[str, str]) -> tuple[str, str]:
    """The title page's LaTeX before and after the front page's opening paragraph."""
    e = {k: tex_escape(v) for k, v in info.items()}
    scope = (rf"Latest source: {e['latest_source']}.\par "
             r"The book reports nothing published after that date.\par") if e["latest_source"] else ""
    edition_line = f"Edition {e['release']}" + (f", {e['edition_date']}" if e["edition_date"] else "")
    before = (r"\pagenumbering{alph}\begin{titlepage}\pdfbookmark[0]{Title page}{titlepage}"
              r"\centering\vspace*{2cm}"
              rf"{{\sffamily\bfseries\Huge\raggedright {e['title']}\par}}\vspace{{1.5em}}"
              rf"{{\Large\raggedright {e['subtitle']}\par}}\vspace{{2.5em}}"
              rf"{{\large\raggedright {edition_line}\par\vspace{{0.8em}}{scope}}}"
              r"\vfill\begin{minipage}{\linewidth}\small\raggedright ")
    after = (r"\end{minipage}\par\vspace{2em}"
             rf"{{\raggedright\large {e['author']}\par}}\end{{titlepage}}"
             r"\pagenumbering{roman}"
             # Front matter: unnumbered chapters, listed in the contents and the bookmarks.
             r"\edef\BriefingSecnumdepth{\the\value{secnumdepth}}\setcounter{secnumdepth}{-1}")
    return before, after


# The front sections run on from one another under modest heads (BriefingFrontStyle), so that the
# front matter stays within four pages; the contents and the two lists share their pages too.
FRONT_TEX = r"\begingroup\BriefingFrontStyle"
CONTENTS_TEX = (r"\endgroup\clearpage\begingroup\BriefingFrontStyle\small\setlength{\parskip}{0pt}"
                r"\renewcommand{\contentsname}{Contents}\setcounter{tocdepth}{1}"
                r"\pdfbookmark[0]{Contents}{contents}\tableofcontents"
                r"\phantomsection\addcontentsline{toc}{chapter}{\listtablename}\listoftables"
                r"\phantomsection\addcontentsline{toc}{chapter}{\listfigurename}\listoffigures"
                r"\endgroup\clearpage\pagenumbering{arabic}"
                r"\setcounter{secnumdepth}{\BriefingSecnumdepth}")


class LatexDoctree(SphinxPostTransform):
    # After sphinx.builders.latex.transforms.BibliographyTransform (750) has moved the citations.
    default_priority = 760
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        self.drop_bibliography_pages()
        self.key_figures_table()
        self.front_matter()
        self.unlist_metadata_tables()
        self.fit_tables()
        self.fit_figures()
        self.short_captions()
        self.frame_archived_texts()
        self.widest_bibliography_label()

    def widest_bibliography_label(self) -> None:
        """The bibliography's hanging indent is its longest label (\\BriefingWidestLabel, read by
        pdf_preamble's sphinxthebibliography): Sphinx's writer cuts the label it gives the
        environment to eight characters, and "[inozPRESS.kg 19 Sep 2022]" overran that indent."""
        from sphinx.builders.latex.nodes import thebibliography

        for bibliography in list(self.document.findall(thebibliography)):
            labels = [c[0].astext() for c in bibliography.children
                      if isinstance(c, nodes.citation) and len(c) and isinstance(c[0], nodes.label)]
            if labels:
                widest = tex_escape(max(labels, key=len)).replace("[", "{[}").replace("]", "{]}")
                bibliography.parent.insert(bibliography.parent.index(bibliography), nodes.raw(
                    "", rf"\def\BriefingWidestLabel{{{widest}}}" "\n", format="latex"))

    def frame_archived_texts(self) -> None:
        """An archived text is the outlet's words, not the editors': set off in a tinted frame
        with a rule (the archived-text environment of pdf_preamble), under its label, as in HTML."""
        for box in self.document.findall(nodes.container):
            if "archived-text" not in box["classes"]:
                continue
            for label in box.findall(nodes.paragraph):
                if "archived-label" in label["classes"]:
                    label.insert(0, nodes.raw("", r"\BriefingArchivedLabel{", format="latex"))
                    label += nodes.raw("", "}", format="latex")

    def key_figures_table(self) -> None:
        """The front page's key-figure cards as one boxed table: what was counted, the figure,
        who counted it and when (with the citation). Each card's row keeps its ``claim-…`` id."""
        for grid in list(self.document.findall(nodes.container)):
            if "key-figures" not in grid["classes"]:
                continue
            rows = []
            for card in grid.findall(nodes.container):
                if "sd-card" not in card["classes"]:
                    continue
                title = next((n for n in card.findall(nodes.container) if "sd-card-title" in n["classes"]), None)
                texts = [n for n in card.findall(nodes.paragraph) if title is None or n.parent is not title]
                if title is None or len(texts) < 2:
                    continue
                row = nodes.row(ids=list(card["ids"]))
                for cell in ([nodes.paragraph("", title.astext().strip())], [texts[0].deepcopy()],
                             [t.deepcopy() for t in texts[1:]]):
                    row += nodes.entry("", *cell)
                rows.append(row)
            if not rows:
                continue
            table = nodes.table(classes=["standard", "nocolorrows", "colwidths-given", "key-figures"])
            group = nodes.tgroup(cols=3)
            table += group
            for width in (22, 18, 60):
                group += nodes.colspec(colwidth=width)
            head = nodes.thead()
            head += nodes.row("", *[nodes.entry("", nodes.paragraph("", label))
                                    for label in ("Counted", "Figure", "Who counted, and when")])
            group += head
            group += nodes.tbody("", *rows)
            grid.replace_self(table)

    def unlist_metadata_tables(self) -> None:
        """A source page's facts and "Who speaks" tables are reference matter, not tables of the
        book's argument: untitled, they stay out of the List of Tables and its numbering."""
        for table in list(self.document.findall(nodes.table)):
            if {"source-facts", "source-voices", "key-figures"} & set(table["classes"]):
                if "key-figures" not in table["classes"]:
                    for title in [c for c in table.children if isinstance(c, nodes.title)]:
                        table.remove(title)
                table["classes"].append("briefing-unlisted")

    def short_captions(self) -> None:
        """The lists of tables and figures give a caption's first sentence only: the rest goes
        inside \\BriefingRest, which the lists gobble (pdf_preamble)."""
        for caption in list(self.document.findall(lambda n: isinstance(n, (nodes.caption, nodes.title)))):
            if isinstance(caption, nodes.title) and not isinstance(caption.parent, nodes.table):
                continue
            # MyST gives each source line its own text node: join them, one line (the writer
            # would carry a caption's line breaks into the lists).
            merged: list[nodes.Node] = []
            for child in caption.children:
                if isinstance(child, nodes.Text):
                    text = re.sub(r"\s+", " ", str(child))
                    if merged and isinstance(merged[-1], nodes.Text):
                        text = str(merged.pop()) + text
                    merged.append(nodes.Text(re.sub(r"\s+", " ", text)))
                else:
                    merged.append(child)
            caption.children = []
            caption.extend(merged)
            for index, child in enumerate(caption.children):
                if not isinstance(child, nodes.Text):
                    continue
                match = re.search(r"[.:;] ", str(child))
                if not match:
                    continue
                head, tail = str(child)[:match.end()], str(child)[match.end():]
                rest = [nodes.Text(tail)] if tail else []
                rest += [c for c in caption.children[index + 1:]]
                if not rest or not "".join(n.astext() for n in rest).strip():
                    break
                for c in caption.children[index:]:
                    caption.remove(c)
                caption += nodes.Text(head)
                caption += nodes.raw("", r"\BriefingRest{", format="latex")
                caption.extend(rest)
                caption += nodes.raw("", "}", format="latex")
                break

    def drop_bibliography_pages(self) -> None:
        pages = {key.docname for key in self.env.get_domain("cite").bibliographies}
        labels = []
        # Found from the top: inlined pages' nodes keep parent pointers to their own documents.
        for parent in list(self.document.findall(nodes.Element)):
            for part in [c for c in parent.children if isinstance(c, addnodes.start_of_file)
                         and c.get("docname") in pages]:
                labels.append(f"{part['docname']}::doc")
                labels += [f"{part['docname']}:{i}" for section in part.findall(nodes.section)
                           for i in section["ids"]]
                parent.remove(part)
        # Links to the removed page lead to the gathered bibliography (its first entry).
        first = next(iter(self.document.findall(nodes.citation)), None)
        if first is not None and labels:
            tex = "".join(rf"\label{{\detokenize{{{label}}}}}" for label in dict.fromkeys(labels))
            first += nodes.raw("", tex, format="latex")

    def front_matter(self) -> None:
        """Title page, unnumbered front sections, contents, numbered chapters, appendices."""
        root = next(iter(self.document.findall(nodes.section)), None)
        if root is None or not root.children or not isinstance(root[0], nodes.title):
            return
        self.hoist_chapters(root)
        intro, front, files = [], [], []
        for child in root.children[1:]:
            if _holds_chapters(child):
                files += [part for part, _ in _top_files(child)]
            elif isinstance(child, nodes.section):
                front.append(child)
            else:
                intro.append(child)
        config = self.config
        appendix_docs = set(config.briefing_appendices)
        chapters = [f for f in files if f["docname"] not in appendix_docs]
        appendices = [f for f in files if f["docname"] in appendix_docs]
        for part in files:
            self.running_head(part)
        before, after = title_page_tex(edition(self.app))
        title = root[0]
        root.clear()
        root += title
        # The key figures' box heads the first page after the title, under the first front heading.
        boxes = [n for n in intro if isinstance(n, nodes.table) and "key-figures" in n["classes"]]
        intro = [n for n in intro if n not in boxes]
        if front and boxes:
            front[0][1:1] = boxes
        root += nodes.raw("", before, format="latex")
        root.extend(intro)
        root += nodes.raw("", after, format="latex")
        root += nodes.raw("", FRONT_TEX, format="latex")
        root.extend(front)
        root += nodes.raw("", CONTENTS_TEX, format="latex")
        root.extend(chapters)
        if appendices:
            root += nodes.raw("", r"\appendix", format="latex")
            root.extend(appendices)

    def running_head(self, part) -> None:
        """The chapter's short title in the running head (the contents keep the full title)."""
        section = next(iter(part.findall(nodes.section)), None)
        if section is None or not isinstance(section[0], nodes.title):
            return
        short = self.config.briefing_running_heads.get(part["docname"], section[0].astext())
        section.insert(1, nodes.raw("", rf"\chaptermark{{{tex_escape(short)}}}", format="latex"))

    def fit_tables(self) -> None:
        """A long table breaks across pages; a long token (a checksum) breaks anywhere."""
        for table in self.document.findall(nodes.table):
            self.title_table(table)
            rows = sum(1 for _ in table.findall(nodes.row))
            if rows > self.config.briefing_long_table_rows and "longtable" not in table["classes"]:
                table["classes"].append("longtable")
            for text in list(table.findall(nodes.Text)):
                if any(len(word) > LONG_TOKEN for word in text.split()) and \
                        not isinstance(text.parent, (nodes.raw, nodes.literal_block)):
                    pieces: list[nodes.Node] = []
                    for token in re.split(r"(\S{%d,})" % (LONG_TOKEN + 1), str(text)):
                        if len(token) > LONG_TOKEN and not token.isspace():
                            for i in range(0, len(token), 8):
                                if i:
                                    pieces.append(nodes.raw("", r"\allowbreak{}", format="latex"))
                                pieces.append(nodes.Text(token[i:i + 8]))
                        elif token:
                            pieces.append(nodes.Text(token))
                    text.parent.replace(text, pieces)

    @staticmethod
    def title_table(table) -> None:
        """An untitled table takes its section's title, so that the list of tables can name it."""
        title = numbered_table_title(table)
        if title is not None and title.parent is not table:
            table.insert(0, title)

    def fit_figures(self) -> None:
        """A figure's image keeps its width but never grows taller than the page allows (the
        preamble keeps the aspect ratio)."""
        for figure in self.document.findall(nodes.figure):
            if "briefing-chart" in figure["classes"]:
                continue  # drawn to fit the page at full size, so that its text prints at 9 pt or more
            for image in figure.findall(nodes.image):
                image.setdefault("height", self.config.briefing_figure_max_height)

    @staticmethod
    def hoist_chapters(root) -> None:
        """A toctree placed under one of the front page's headings would make every chapter a
        section of that heading: lift the inlined chapters to the top level, in order."""
        for top in list(root.children):
            if not isinstance(top, nodes.section) or not _holds_chapters(top):
                continue
            position = root.index(top) + 1
            for wrapper, parent in list(_front_page_wrappers(top)):
                parent.remove(wrapper)
                root.insert(position, wrapper)
                position += 1


# A source page's facts and "Who speaks" tables, and the front page's key figures: reference
# matter, unnumbered and out of the List of Tables.
UNLISTED_TABLES = {"source-facts", "source-voices", "key-figures", "briefing-unlisted"}


def numbered_table_title(table) -> nodes.title | None:
    """The title under which the PDF numbers a table: its own, or an untitled table's section's
    (a new node); None for reference matter. The e-book numbers its tables by the same rule."""
    if UNLISTED_TABLES & set(table["classes"]):
        return None
    if len(table) and isinstance(table[0], nodes.title):
        return table[0]
    section = table.parent
    while section is not None and not isinstance(section, nodes.section):
        section = section.parent
    if section is not None and len(section) and isinstance(section[0], nodes.title):
        return nodes.title("", "", *[child.deepcopy() for child in section[0].children
                                     if isinstance(child, nodes.Text)])
    return None


def _front_page_wrappers(node):
    """The (toctree wrapper, its parent) pairs of the front page itself, in document order, not
    descending into inlined pages. Walked from the top: Sphinx's inline_all_toctrees leaves the
    inlined nodes' parent pointers at their own documents."""
    for child in node.children:
        if not isinstance(child, nodes.Element) or isinstance(child, addnodes.start_of_file):
            continue
        if any(isinstance(c, addnodes.start_of_file) for c in child.children):
            yield child, node
        else:
            yield from _front_page_wrappers(child)


def _top_files(node):
    """The (inlined file, its parent) pairs under node, not descending into inlined files."""
    for child in node.children:
        if isinstance(child, addnodes.start_of_file):
            yield child, node
        elif isinstance(child, nodes.Element):
            yield from _top_files(child)


def _holds_chapters(node) -> bool:
    return any(True for _ in node.findall(addnodes.start_of_file))


def _files(node, current, out) -> None:
    """Map each element to the document (inlined file) it came from."""
    if isinstance(node, addnodes.start_of_file):
        current = node["docname"]
    out[node] = current
    for child in node.children:
        if isinstance(child, nodes.Element):
            _files(child, current, out)


def label_link_targets(app, doctree, docname) -> None:
    """Runs after every other doctree-resolved handler, once the links (cited-by lists,
    pinpoints) are all in place."""
    if app.builder.format != "latex":
        return
    files: dict = {}
    _files(doctree, docname, files)
    homes: dict[str, set[str]] = {}
    for node, home in files.items():
        for i in node["ids"]:
            homes.setdefault(i, set()).add(home)
    referenced = set()
    for ref in doctree.findall(nodes.reference):
        uri = ref.get("refuri", "")
        if uri.startswith("%") and "#" in uri:
            referenced.add(uri.split("#", 1)[1])
        elif ref.get("refid"):
            # make_refnode gives a same-document link (refid) when the link and its target are in
            # the one LaTeX document; the writer would resolve it in the link's own file.
            here, target = files[ref], homes.get(ref["refid"], set())
            if here not in target and len(target) == 1:
                ref["refuri"] = f"%{next(iter(target))}#{ref['refid']}"
                del ref["refid"]
            referenced.add(ref.get("refid") or ref["refuri"].split("#", 1)[1])
    add_page_numbers(doctree, files)
    labelled = {i for node in doctree.findall(nodes.Element) if isinstance(node, LABELLED)
                for i in node["ids"]}
    for node in list(doctree.findall(nodes.Element)):
        if isinstance(node, LABELLED):
            continue
        ids = [i for i in node["ids"] if i in referenced and i not in labelled]
        if not ids:
            continue
        text = node if isinstance(node, nodes.TextElement) else \
            next(iter(node.findall(nodes.TextElement)), None)
        if isinstance(text, nodes.caption) and isinstance(text.parent, nodes.figure):
            # A caption is a moving argument (no \phantomsection there): the figure's label serves.
            text.parent["ids"].extend(ids)
        elif text is not None and not isinstance(text, (nodes.title, nodes.caption, nodes.rubric)):
            text.insert(0, nodes.target("", "", ids=ids))
        else:
            continue
        labelled.update(ids)


# No page number inside these: a caption or a title is a moving argument, and a citation's ¶
# pinpoints (and its outlet and date) lead to the archived text, which the citation already names.
NO_PAGE_NUMBER = (nodes.title, nodes.caption, nodes.rubric, nodes.raw, addnodes.toctree)


def pageref_label(ref, home: str) -> str:
    """The LaTeX label an internal reference links to (as the LaTeX writer names it), or ""."""
    uri = ref.get("refuri", "")
    if not uri and ref.get("refid"):
        return f"{home}:{ref['refid']}"
    if uri.startswith("#"):
        return f"{home}:{uri[1:]}"
    if uri.startswith("%"):
        return uri[1:].replace("#", ":") if "#" in uri else f"{uri[1:]}::doc"
    return ""


def add_page_numbers(doctree, files) -> None:
    """A cross-reference prints the page of its target after it, "the open letter (p. 12)":
    on paper a link leads nowhere. Not a glossary term's link (the glossary is alphabetical) nor a
    citation's parts."""
    for ref in list(doctree.findall(nodes.reference)):
        label = pageref_label(ref, files.get(ref, ""))
        if not label or "pinpoint" in ref["classes"] or \
                any("std-term" in child.get("classes", []) for child in ref.findall(nodes.Element)):
            continue
        ancestor, skip = ref.parent, False
        while ancestor is not None and not skip:
            skip = isinstance(ancestor, NO_PAGE_NUMBER) or "bibtex-citation" in ancestor.get("classes", [])
            ancestor = ancestor.parent
        if skip:
            continue
        ref.parent.insert(ref.parent.index(ref) + 1,
                          nodes.raw("", rf"\BriefingPageref{{\detokenize{{{label}}}}}", format="latex"))


def pdf_preamble(info: dict[str, str]) -> str:
    """Metadata (document information and XMP), running heads, and the chapter heads."""
    e = {k: tex_escape(v) for k, v in info.items()}
    return "\n".join([
        r"\usepackage{hyperxmp}",
        # hyperxmp under XeTeX leaves Author and Keywords out of the document information
        # dictionary (they are in its XMP stream): write them there too.
        rf"\AtBeginDocument{{\pdfstringdef\BriefingPdfAuthor{{{e['author']}}}"
        rf"\pdfstringdef\BriefingPdfKeywords{{{e['keywords']}}}"
        r"\special{pdf:docinfo << /Author (\BriefingPdfAuthor) /Keywords (\BriefingPdfKeywords) >>}}",
        rf"\hypersetup{{pdftitle={{{e['title']}}}, pdfauthor={{{e['author']}}},"
        rf" pdfsubject={{{e['subtitle']}}}, pdfkeywords={{{e['keywords']}}},"
        rf" pdflang={{{e['language']}}}, pdfmetalang={{{e['language']}}},"
        rf" pdfversionid={{{e['release']}}}, bookmarksopen=true, bookmarksopenlevel=0,"
        r" bookmarksnumbered=true, pdfpagelabels=true}",
        # Running heads: the chapter's (short) title on the left, the page number on the right;
        # the book's title and edition in the footer.
        r"\makeatletter",
        r"\def\briefing@appendix{\appendixname}",
        r"\renewcommand{\chaptermark}[1]{\markboth{\ifnum\c@secnumdepth>\m@ne"
        r"\ifx\@chapapp\briefing@appendix\appendixname\space\fi\thechapter.\quad\fi #1}{}}",
        r"\fancypagestyle{normal}{\fancyhf{}"
        r"\fancyhead[L]{{\py@HeaderFamily\nouppercase{\leftmark}}}"
        r"\fancyhead[R]{{\py@HeaderFamily\thepage}}"
        rf"\fancyfoot[L]{{{{\py@HeaderFamily\footnotesize {e['title']}, edition {e['release']}}}}}"
        r"\renewcommand{\headrulewidth}{0.4pt}\renewcommand{\footrulewidth}{0pt}}",
        r"\fancypagestyle{plain}{\fancyhf{}\fancyhead[R]{{\py@HeaderFamily\thepage}}"
        r"\renewcommand{\headrulewidth}{0pt}\renewcommand{\footrulewidth}{0pt}}",
        r"\setlength{\headheight}{14pt}",
        r"\newcommand{\BriefingFrontStyle}{\renewcommand{\clearpage}{\par\bigskip}"
        r"\def\@makechapterhead##1{{\parindent\z@\raggedright\normalfont\LARGE\bfseries ##1\par\nobreak\vskip 0.8em}}"
        r"\let\@makeschapterhead\@makechapterhead}",
        # A narrow table column holds its longest word ("Administrative") without overrunning.
        r"\setlength{\tymin}{6em}",
        r"\setkeys{Gin}{keepaspectratio}",
        # Table cells set ragged-right: narrow justified columns open rivers of space.
        r"\newcolumntype{T}{L}",
        r"\newcolumntype{\X}[2]{>{\raggedright\arraybackslash}p{\dimexpr"
        r"(\linewidth-\spx@arrayrulewidth)*#1/#2-\tw@\tabcolsep-\spx@arrayrulewidth\relax}}",
        # A cross-reference's page (add_page_numbers); no link of its own beside the reference's.
        r"\newcommand{\BriefingPageref}[1]{\nobreakspace(p.\nobreakspace\pageref*{#1})}",
        # The archived texts (LatexDoctree.frame_archived_texts): the outlet's words in a tinted
        # frame with a rule on the left, in smaller type, breaking across pages (framed, which
        # Sphinx loads), under the label in bold sans, as the HTML sets them off.
        r"\definecolor{BriefingArchiveRule}{gray}{0.5}\definecolor{BriefingArchiveTint}{gray}{0.95}",
        r"\newenvironment{sphinxclassarchived-text}{\def\FrameCommand{{\color{BriefingArchiveRule}"
        r"\vrule width 2pt}\fboxsep=6pt\colorbox{BriefingArchiveTint}}"
        r"\MakeFramed{\advance\hsize-\width\FrameRestore}\small}{\endMakeFramed}",
        r"\newcommand{\BriefingArchivedLabel}[1]{{\sffamily\footnotesize\bfseries #1}}",
        # A figure the book computes ({derived}, the inline of class derived-figure) has a dotted
        # underline, as in HTML (briefing.css) and as the How-to-read page promises. Drawn with
        # leaders under the figure's box: a figure is a short number that never breaks a line.
        r"\newcommand{\BriefingDerived}[1]{\leavevmode\begingroup\setbox\z@\hbox{#1}\dimen@\wd\z@"
        r"\vtop{\box\z@\nointerlineskip\kern1.2pt\hbox to\dimen@{\xleaders\hbox to 1.8pt{\hss\vrule width 0.7pt height 0.7pt\hss}"
        r"\hfil}}\endgroup}",
        r"\expandafter\let\csname DUrolederived-figure\endcsname\BriefingDerived",
        # The bibliography's labels hang at the width of the longest (LatexDoctree.widest_bibliography_label),
        # set small so that the indent stays modest.
        r"\let\BriefingThebibliography\sphinxthebibliography",
        r"\renewcommand{\sphinxthebibliography}[1]{\BriefingThebibliography"
        r"{\ifdefined\BriefingWidestLabel\BriefingWidestLabel\else #1\fi}}",
        r"\renewcommand{\@biblabel}[1]{{\small[#1]}}",
        # A caption's first sentence in the lists of tables and figures; the rest only in place.
        r"\DeclareRobustCommand{\BriefingRest}[1]{#1}",
        r"\let\BriefingListoffigures\listoffigures"
        r"\renewcommand{\listoffigures}{\begingroup\renewcommand{\BriefingRest}[1]{}\BriefingListoffigures\endgroup}",
        r"\let\BriefingListoftables\listoftables"
        r"\renewcommand{\listoftables}{\begingroup\renewcommand{\BriefingRest}[1]{}\BriefingListoftables\endgroup}",
        r"\makeatother",
    ])


def configure(app, config) -> None:
    """The title page and the contents come from the doctree (LatexDoctree), the metadata and
    the page style from pdf_preamble."""
    elements = config.latex_elements
    elements["maketitle"] = ""
    elements["tableofcontents"] = ""
    info = edition(app)
    elements["preamble"] = elements.get("preamble", "") + "\n" + pdf_preamble(info)


# Where each value of the edition is written: conf.py's settings, CITATION.cff's fields.
CONF_SETTINGS = ("project", "briefing_subtitle", "author", "release", "briefing_pdf_language")
CFF_FIELDS = ("keywords", "date-released")


def unprintable_values(app) -> list[tuple[str, str]]:
    """("file:line", what is wrong) for each value the PDF writes that holds a character TeX
    cannot print, however escaped."""
    import yaml
    from briefing.metadata import _CffLoader

    found = []

    def check(where: str, field: str, value) -> None:
        for char in dict.fromkeys(UNPRINTABLE.findall(str(value))):
            found.append((where, f"{field} holds the character U+{ord(char):04X}, which TeX cannot "
                                 f"print in the PDF: remove it"))

    conf = Path(app.confdir) / "conf.py"
    lines = conf.read_text(encoding="utf-8").splitlines() if conf.is_file() else []
    for name in CONF_SETTINGS:
        line = next((n for n, text in enumerate(lines, 1) if re.match(rf"{name}\s*=", text)), 0)
        check(f"{conf}:{line}" if line else str(conf), name, app.config[name])
    cff = Path(app.srcdir) / app.config.briefing_citation_file
    try:
        root = yaml.compose(cff.read_text(encoding="utf-8"), Loader=_CffLoader) if cff.is_file() else None
    except yaml.YAMLError:
        root = None  # briefing_metadata reports a CITATION.cff that does not parse
    for key, value in getattr(root, "value", []) if isinstance(root, yaml.MappingNode) else []:
        if key.value not in CFF_FIELDS:
            continue
        scalars = value.value if isinstance(value, yaml.SequenceNode) else [value]
        for scalar in scalars:
            if isinstance(scalar, yaml.ScalarNode):
                check(f"{cff}:{scalar.start_mark.line + 1}", key.value, scalar.value)
    return found


def check_printable(app) -> None:
    """A value TeX cannot print stops the PDF's build (-W), named where it is written."""
    if app.builder.format != "latex":
        return
    for where, message in unprintable_values(app):
        logger.warning(message, location=where, type="briefing", subtype="latex")


def setup(app):
    app.setup_extension("briefing_metadata")  # briefing_citation_file: CITATION.cff
    app.add_config_value("briefing_subtitle", "", "env", types=frozenset({str}))
    app.add_config_value("briefing_edition_date", "", "env", types=frozenset({str}))
    app.add_config_value("briefing_pdf_language", "en", "env", types=frozenset({str}))
    app.add_config_value("briefing_appendices", [], "env", types=frozenset({list}))
    app.add_config_value("briefing_running_heads", {}, "env", types=frozenset({dict}))
    app.add_config_value("briefing_long_table_rows", 12, "env", types=frozenset({int}))
    app.add_config_value("briefing_figure_max_height", "15cm", "env", types=frozenset({str}))
    app.connect("config-inited", configure, priority=900)
    app.connect("builder-inited", check_printable)
    app.add_directive("dateline", Dateline)
    app.add_post_transform(LatexDoctree)
    app.connect("doctree-resolved", label_link_targets, priority=900)
    return {"version": "2.0", "parallel_read_safe": True, "parallel_write_safe": True}
