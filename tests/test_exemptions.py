"""The claims rule's exemptions in the real book are few, explicit and reasoned: this list is
the whole of them, so a new exemption is a deliberate edit here too."""

from __future__ import annotations

import re

from conftest import ROOT

# (file, page or block, how its reason begins), in file order.
EXPECTED = [
    ("index.md", "block", "navigation"),
    ("index.md", "block", "reading instructions"),
    ("chapters/bibliography.md", "page", "the bibliography lists the book's sources"),
    ("chapters/glossary.md", "block", "reading instructions: says how the entries are written"),
    ("chapters/how-to-cite.md", "page", "this page explains how to cite the book"),
    ("chapters/human-cost.md", "block", "navigation: describes the three tables below"),
    ("chapters/sources.md", "block", "the book's method: how the sources are presented"),
]
BLOCK = re.compile(r"^[`:]{3,}\{uncited\}[^\n]*\n(?::reason:\s*(.*))?", re.M)


def exemptions() -> list[tuple[str, str, str]]:
    found = []
    for path in [ROOT / "index.md", *sorted((ROOT / "chapters").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT).as_posix()
        front = re.match(r"---\n(.*?)\n---\n", text, re.S)
        if front:
            found += [(name, "page", r.strip()) for r in re.findall(r"^uncited:\s*(.*)$", front.group(1), re.M)]
        found += [(name, "block", r.strip()) for r in BLOCK.findall(text)]
    return found


def test_every_exemption_is_listed_and_gives_a_reason():
    found = exemptions()
    assert [(name, kind) for name, kind, _ in found] == [(name, kind) for name, kind, _ in EXPECTED]
    for (name, kind, reason), (_, _, begins) in zip(found, EXPECTED):
        assert reason.startswith(begins) and len(reason) > 20, f"{name}: {kind} exemption: {reason!r}"
