"""Citation styles for news articles: cited by outlet and date, since the articles carry no
byline (sphinxcontrib-bibtex's author-year style would otherwise fall back to the headline).

In the text: (Interfax, 22 Sep 2022). In the bibliography: outlet, headline, full date, note, URL.

A day the outlet does not print but the text implies is entered in brackets, ``day = {[18]}``, and
every label and date keeps the brackets: (Al Mayadeen English, [18] Sep 2022). The entry's note
says how the day is inferred.
"""

from __future__ import annotations

import importlib.metadata
import re
from dataclasses import dataclass

import pybtex.plugin
import sphinxcontrib.bibtex.plugin
from pybtex.backends.plaintext import Backend as PlaintextBackend
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle
from pybtex.style.formatting import toplevel
from pybtex.style.template import field, first_of, join, node, optional, optional_field, sentence, tag
from sphinxcontrib.bibtex.style.referencing import BracketStyle, PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle
from sphinxcontrib.bibtex.style.referencing.basic_author_year import (
    BasicAuthorYearParentheticalReferenceStyle,
    BasicAuthorYearTextualReferenceStyle,
)
from sphinxcontrib.bibtex.richtext import BaseReferenceText
from sphinxcontrib.bibtex.style.template import join2, pre_text, reference

from briefing import pinpoints

from briefing.dates import MONTH_NAMES, month_abbreviation, month_number


def month_index(entry) -> int | None:
    """0 for January … 11 for December, from the entry's ``month`` field; None without one."""
    number = month_number(entry.fields.get("month", ""))
    return None if number is None else number - 1


_DAY = re.compile(r"^(\[?)(\d{1,2})(\]?)$")


# The publication day the book infers for an entry, by key (data/sources.toml: the day of
# "published" with day_inferred = true), set by briefing_sources as each build starts.
# references.bib keeps such a day out of its date fields (its note gives it) so that no reference
# manager takes it for a printed date; the book's own labels still print it, in brackets.
INFERRED_DAYS: dict[str, int] = {}


def note_inferred_days(sources) -> None:
    """Take the inferred days from the registry ({key: briefing.archive.Source})."""
    INFERRED_DAYS.clear()
    INFERRED_DAYS.update((key, int(source.published[8:10])) for key, source in sources.items()
                         if source.inferred_day and len(source.published) == 10)


def day_parts(entry) -> tuple[int, bool] | None:
    """(day, inferred): the entry's ``day`` field is a printed day ('[18]' there is read as an
    inferred one); without one, the registry's inferred day."""
    match = _DAY.match(entry.fields.get("day", "").strip())
    if match and bool(match.group(1)) == bool(match.group(3)):
        return int(match.group(2)), bool(match.group(1))
    if not entry.fields.get("day", "").strip() and getattr(entry, "key", None) in INFERRED_DAYS:
        return INFERRED_DAYS[entry.key], True
    return None


def date_text(entry, short: bool) -> str:
    """'22 Sep 2022' (short) or '22 September 2022'; the parts the entry lacks are left out. An
    inferred day keeps its brackets: '[18] Sep 2022'."""
    year = entry.fields.get("year", "n.d.")
    month = month_index(entry)
    known = day_parts(entry)
    # A day in neither form is shown as written rather than dropped.
    day = (entry.fields.get("day", "").strip() if known is None
           else f"[{known[0]}]" if known[1] else str(known[0]))
    parts = [day] if day and month is not None else []
    if month is not None:
        parts.append(month_abbreviation(month + 1).capitalize() if short else MONTH_NAMES[month])
    return " ".join(parts + [year])


@node
def short_date(children, data):
    return Text(date_text(data["entry"], short=True))


@node
def long_date(children, data):
    return Text(date_text(data["entry"], short=False))


class PinpointText(BaseReferenceText):
    """A citation's pinpoint ("¶10", "¶3–4, ¶9"), each run a link to its first paragraph in the
    source's archived text. Rendered by the referencing style, as sphinxcontrib-bibtex renders the
    reference itself: the links are made where the citation is, for every builder."""

    def render(self, backend):
        import docutils.nodes
        from sphinx.util.nodes import make_refnode

        from briefing_sources import passage_target

        info, key, post = self.info[0]
        rendered: list = []
        for number, run in enumerate(pinpoints.runs(post)):
            if number:
                rendered.append(docutils.nodes.Text(", "))
            label = pinpoints.write(run)
            target = passage_target(info.builder.env, key, run)
            if target is None:
                rendered.append(docutils.nodes.Text(label))
                continue
            docname, anchor, title = target
            link = make_refnode(info.builder, info.fromdocname, docname, anchor,
                                docutils.nodes.inline(label, label), title)
            link["classes"].append("pinpoint")
            rendered.append(link)
        return rendered


@node
def pinpoint_text(children, data):
    """The citation's post-text: a pinpoint as links to its paragraphs, any other text as written."""
    info = data["reference_info"]
    if not pinpoints.is_pinpoint(info.post_text):
        return Text(info.post_text)
    try:
        pinpoints.parse(info.post_text)
    except pinpoints.PinpointError:
        return Text(info.post_text)  # briefing_claims reports it, with its location
    text = PinpointText((info, data["entry"].key, info.post_text), Text(info.post_text))
    return text


@dataclass
class OutletPersonStyle(PersonStyle):
    def author_or_editor_or_title(self, full):
        # The outlet as its field writes it (a news entry's corporate author is the same name).
        return first_of[
            optional[field("journal")],
            optional[field("howpublished")],
            optional[self.names("author", full=full)],
            tag("em")[field("title")],
        ]


class OutletDateParenthetical(BasicAuthorYearParentheticalReferenceStyle):
    def inner(self, role_name):
        return join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
            pre_text,
            reference[join(sep=self.author_year_sep)[
                self.person.author_or_editor_or_title(full="s" in role_name), short_date]],
            pinpoint_text,
        ]


class OutletDateTextual(BasicAuthorYearTextualReferenceStyle):
    def inner(self, role_name):
        return join(sep=self.text_reference_sep)[
            self.person.author_or_editor_or_title(full="s" in role_name),
            join[self.bracket.left,
                 join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
                     pre_text, reference[short_date], pinpoint_text],
                 self.bracket.right],
        ]


@dataclass
class OutletDateReferenceStyle(AuthorYearReferenceStyle):
    def __post_init__(self):
        self.person = OutletPersonStyle()
        self.bracket_parenthetical = BracketStyle(left="(", right=")")
        self.bracket_textual = BracketStyle(left="(", right=")")
        super().__post_init__()
        for i, style in enumerate(self.styles):
            if type(style) is BasicAuthorYearParentheticalReferenceStyle:
                self.styles[i] = OutletDateParenthetical(
                    bracket=style.bracket, person=self.person, author_year_sep=style.author_year_sep,
                    pre_text_sep=style.pre_text_sep, post_text_sep=style.post_text_sep)
            elif type(style) is BasicAuthorYearTextualReferenceStyle:
                self.styles[i] = OutletDateTextual(
                    bracket=style.bracket, person=self.person, text_reference_sep=style.text_reference_sep,
                    pre_text_sep=style.pre_text_sep, post_text_sep=style.post_text_sep)
        self.role_style.update((name, style) for style in self.styles for name in style.role_names())


def _outlet(entry) -> str:
    """The outlet, as the entry's ``journal`` (or a @misc's ``howpublished``) names it (braces
    that keep its capitals dropped), or the key when the entry names none."""
    outlet = entry.fields.get("journal") or entry.fields.get("howpublished") or entry.key
    return outlet.replace("{", "").replace("}", "")


class OutletDateLabels(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        for entry in sorted_entries:
            yield f"{_outlet(entry)} {date_text(entry, short=True)}"


class OutletDateSorting(BaseSortingStyle):
    """By outlet, then date: the order in which the labels read."""

    def sorting_key(self, entry):
        month = month_index(entry)
        known = day_parts(entry)
        return (_outlet(entry).casefold(), entry.fields.get("year", ""), -1 if month is None else month,
                0 if known is None else known[0])


class NewsStyle(UnsrtStyle):
    default_label_style = OutletDateLabels
    default_sorting_style = OutletDateSorting

    def get_misc_template(self, e):
        return toplevel[
            sentence[first_of[optional_field("journal"), optional_field("howpublished")]],
            optional[self.format_title(e, "title")],
            sentence[long_date],
            sentence[optional_field("note")],
            self.format_web_refs(e),
        ]


    # A data set (the map's boundaries and places) reads like a web page: publisher, title, date.
    get_dataset_template = get_misc_template
    # A news article (@article, entrysubtype newspaper): the outlet, the headline, the date.
    get_article_template = get_misc_template


# The plugins a build of the book looks up by name, beyond its own. pybtex and sphinxcontrib-bibtex
# answer a lookup not registered at run time by reading every installed package's metadata (about
# 6 ms each, over thirty times a build); registered once from one reading, a lookup is a dict hit.
LOOKED_UP = {
    "pybtex.backends": ("text", "docutils"),
    "pybtex.style.names": ("last", "plain"),
    "sphinxcontrib.bibtex.style.referencing": ("foot",),
}


def register_plugins() -> None:
    installed = importlib.metadata.entry_points()
    for group, names in LOOKED_UP.items():
        register = (sphinxcontrib.bibtex.plugin.register_plugin if group.startswith("sphinxcontrib.")
                    else pybtex.plugin.register_plugin)
        for name in names:
            # A name may be an alias (pybtex's "text" is "plaintext"); one not installed is left to
            # the library, which says so when it is used.
            found = [*installed.select(group=group, name=name), *installed.select(group=f"{group}.aliases", name=name)]
            if found:
                register(group, name, found[0].load(), force=True)
    pybtex.plugin.register_plugin("pybtex.backends", "plaintext", PlaintextBackend, force=True)
    pybtex.plugin.register_plugin("pybtex.style.formatting", "briefing_news", NewsStyle, force=True)
    sphinxcontrib.bibtex.plugin.register_plugin("sphinxcontrib.bibtex.style.referencing", "outlet_date",
                                                OutletDateReferenceStyle, force=True)


# pybtex's registry is one per process: registered when this module is first imported, the plugins
# serve every build the process makes, and a warm process (tools/livehtml.py) hands them to each
# build it forks instead of each build reading the metadata again.
register_plugins()


def setup(app):
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
