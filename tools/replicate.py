"""A larger book made from the book itself, for measuring how the build scales (tools/bench.py).

``replicate(book, copies)`` adds ``copies`` replicas of every chapter and source page to a copy of
the book: ``chapters/clashes.md`` gains ``chapters/clashes-r2.md`` …, each source ``KEY`` gains a
source ``KEYr2`` (its registry entry, bibliography entry and page, over the same archived text),
and the replicas cite the replicated sources. Labels and links are renamed with them, so that the
larger book builds as cleanly as the original. Pages that exist once by nature (the front page,
the glossary, the bibliography, how to cite, the sources index) are not replicated.
"""

from __future__ import annotations

import posixpath
import re
import tomllib
from pathlib import Path

SINGLE = {"index", "chapters/glossary", "chapters/bibliography", "chapters/how-to-cite", "sources/index"}
DOC_ROLE = re.compile(r"\{doc\}`(?P<text>[^`<]*?)(?:\s*<(?P<target>[^>`]+)>)?`")
# MyST targets "(label)=" and directive names ":name: label": labels are global, so renamed.
LABEL = re.compile(r"^(?:\((?P<target>[^)\s]+)\)=|\s*:name:\s*(?P<name>\S+))\s*$", re.M)


def _docname(book: Path, path: Path) -> str:
    return path.relative_to(book).with_suffix("").as_posix()


def _replica_doc(docname: str, keys: set[str], n: int) -> str:
    head, name = posixpath.split(docname)
    name = f"{name}r{n}" if name in keys else f"{name}-r{n}"
    return posixpath.join(head, name)


def _rename_keys(text: str, keys: set[str], n: int) -> str:
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(keys, key=len, reverse=True))) + r")\b")
    return pattern.sub(lambda m: f"{m.group(1)}r{n}", text)


def _relink(text: str, docname: str, replicated: set[str], keys: set[str], n: int) -> str:
    """Point each {doc} link of a replica at the replica of its target, where there is one."""
    def swap(match: re.Match) -> str:
        written = (match.group("target") or match.group("text")).strip()
        base = written.removesuffix(".md")
        absolute = base.lstrip("/") if base.startswith("/") else \
            posixpath.normpath(posixpath.join(posixpath.dirname(docname), base))
        if absolute not in replicated:
            return match.group(0)
        head, name = posixpath.split(base)
        new = posixpath.join(head, posixpath.basename(_replica_doc(absolute, keys, n)))
        if match.group("target"):
            return f"{{doc}}`{match.group('text')} <{new}>`"
        return f"{{doc}}`{new}`"

    return DOC_ROLE.sub(swap, text)


def replicate(book: Path, copies: int) -> list[str]:
    """Add ``copies`` replicas (numbered 2 …) of the replicable pages to the book at ``book``
    (a copy: it is changed in place); return the docnames added."""
    registry_path = book / "data" / "sources.toml"
    raw_registry = registry_path.read_text(encoding="utf-8")
    keys = set(tomllib.loads(raw_registry))
    pages = sorted(p for p in [*book.glob("chapters/*.md"), *book.glob("sources/*.md")]
                   if _docname(book, p) not in SINGLE)
    replicated = {_docname(book, p) for p in pages}
    bib = (book / "references.bib").read_text(encoding="utf-8")
    added: list[str] = []
    registry_parts, bib_parts = [raw_registry], [bib]
    for n in range(2, copies + 2):
        for page in pages:
            docname = _docname(book, page)
            # Links first: the key renaming below leaves names that already carry a suffix alone.
            text = _relink(page.read_text(encoding="utf-8"), docname, replicated, keys, n)
            text = _rename_keys(text, keys, n)
            labels = [m.group("target") or m.group("name") for m in LABEL.finditer(text)]
            for label in labels:
                text = re.sub(rf"(?<![\w-]){re.escape(label)}(?![\w-])", f"{label}-r{n}", text)
            new = _replica_doc(docname, keys, n)
            (book / f"{new}.md").write_text(text, encoding="utf-8")
            added.append(new)
        registry_parts.append(_registry_copies(raw_registry, keys, n))
        # A distinct outlet name, so that no two entries share a citation label.
        copies_of = re.sub(r"((?:howpublished|journal)\s*=\s*\{)", rf"\1Copy {n} of ", _bib_entries(bib, keys))
        bib_parts.append(_rename_keys(copies_of, keys, n))
    registry_path.write_text("\n".join(registry_parts), encoding="utf-8")
    (book / "references.bib").write_text("\n".join(bib_parts), encoding="utf-8")
    toctree = "\n".join(["", "```{toctree}", ":caption: Replicas", ":maxdepth: 1", "", *added, "```", ""])
    with (book / "index.md").open("a", encoding="utf-8") as handle:
        handle.write(toctree)
    return added


def _registry_copies(raw: str, keys: set[str], n: int) -> str:
    """Each [KEY] table again as [KEYrN], over the same archived text, with its own page, and its
    [[KEY.voices]] tables as [[KEYrN.voices]]."""
    tables = re.split(r"(?m)^(?=\[\[?[^\]]+\]\]?\s*$)", raw)
    out = []
    for table in tables:
        voices = re.match(r"\[\[([^\]]+)\.voices\]\]", table)
        if voices and voices.group(1) in keys:
            out.append(table.replace(f"[[{voices.group(1)}.voices]]", f"[[{voices.group(1)}r{n}.voices]]", 1))
            continue
        header = re.match(r"\[([^\]\[]+)\]", table)
        if not header or header.group(1) not in keys:
            continue
        key = header.group(1)
        table = table.replace(f"[{key}]", f"[{key}r{n}]", 1)
        table = re.sub(rf'(?m)^(page\s*=\s*")sources/{re.escape(key)}"', rf'\1sources/{key}r{n}"', table)
        out.append(table)
    return "\n".join(out)


def _bib_entries(bib: str, keys: set[str]) -> str:
    """The entries of a .bib file for the sources ``keys`` (not those of the map's data sets,
    which the replicated chapters cite under their own keys), without its comment lines."""
    entries = re.split(r"(?m)^(?=@)", bib)
    return "".join(entry for entry in entries
                   if (head := re.match(r"@\w+\s*\{\s*([^,\s]+)", entry)) and head.group(1) in keys)
