"""Page templates compiled once (briefing_builddir): Jinja's compiled templates are kept beside the
doctrees, and a template whose source changes is compiled anew, never served stale."""

from __future__ import annotations

import os
import sys

from conftest import ROOT, sphinx_build

CONF = '''extensions = ["myst_parser", "briefing_builddir"]
source_suffix = {".md": "markdown"}
templates_path = ["_templates"]
'''
LAYOUT = '{% extends "!layout.html" %}{% block footer %}{{ super() }}<p>MARK</p>{% endblock %}'


def test_compiled_templates_are_kept_and_a_changed_one_is_compiled_anew(tmp_path):
    book = tmp_path / "book"
    (book / "_templates").mkdir(parents=True)
    (book / "conf.py").write_text(CONF, encoding="utf-8")
    (book / "index.md").write_text("# Front\n\nA page.\n", encoding="utf-8")
    layout = book / "_templates" / "layout.html"
    layout.write_text(LAYOUT.replace("MARK", "First edition"), encoding="utf-8")
    out, doctrees = tmp_path / "html", tmp_path / "doctrees"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))

    first = sphinx_build(book, "html", out, "-d", str(doctrees), env=env)
    assert first.returncode == 0, first.stderr
    kept = sorted((doctrees / "templates").glob("*.cache"))
    assert kept, "no compiled template was kept beside the doctrees"
    assert "First edition" in (out / "index.html").read_text(encoding="utf-8")

    layout.write_text(LAYOUT.replace("MARK", "Second edition"), encoding="utf-8")
    second = sphinx_build(book, "html", out, "-d", str(doctrees), "-E", env=env)
    assert second.returncode == 0, second.stderr
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "Second edition" in page and "First edition" not in page, "a changed template was served stale"
