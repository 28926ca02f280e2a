"""tools/bench.py runs and prints each of its figures (on a small book: no time is asserted)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow  # it drives the browser for the live-preview figure

NUMBER = r"[\d.]+"


def test_bench_prints_every_figure():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "bench.py"), "--tiny"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # A ratio of builds made in turn: the median of the pairs' ratios, and their range.
    PAIRED = rf"ratio {NUMBER} \(the median of \d+ pairs? built in turn, from {NUMBER} to {NUMBER}\)"
    expected = [
        rf"^0\. start-up: a build with nothing to do imports modules for {NUMBER} s of its {NUMBER} s; "
        r"heavy modules imported: none$",
        rf"^1\. full build \(fastest of 1\): {NUMBER} s$",
        rf"^1\. full build with plain Sphinx \(none of the book's extensions\): {NUMBER} s; the book's against it: "
        rf"{PAIRED}$",
        rf"^bound: full build, the book's against plain Sphinx's ≤ 1\.6×: {NUMBER}×, (met|NOT met)$",
        rf"^2\. make html: rebuild after changing a word in chapters/one\.md, past a cited block's opening words "
        rf"\(fastest of 1\): {NUMBER} s; \d+ of \d+ pages rewritten: .*chapters/one\.html",
        rf"^2\. make html: the same edit with plain Sphinx \(none of the book's extensions\): {NUMBER} s.*; "
        rf"{PAIRED}$",
        rf"^2\. make html: rebuild with nothing changed: {NUMBER} s; plain Sphinx {NUMBER} s: {PAIRED}$",
        rf"^2\. make html: a word changed among a cited block's opening words, .*: {NUMBER} s; \d+ pages "
        r"rewritten: .*sources/alpha2022\.html",
        rf"^bound: one-word edit with make html, the book's against plain Sphinx's ≤ 1\.3×: {NUMBER}×, (met|NOT met)$",
        rf"^4\. 1x book, \d+ pages: full build {NUMBER} s \({NUMBER} ms/page, peak \d+ MiB\); "
        rf"one-chapter rebuild {NUMBER} s \(peak \d+ MiB\)$",
        rf"^4\. 2x book, \d+ pages: full build {NUMBER} s",
        rf"^4\. cost per page at 2x against 1x: ratio {NUMBER}$",
        rf"^bound: cost per page at 2x against 1x ≤ 1\.3×: {NUMBER}×, (met|NOT met)$",
        rf"^5\. 2x book with -j auto \(\d+ CPU\(s\)\): {NUMBER} s against {NUMBER} s serial: (not )?faster",
        rf"^6\. live preview, make livehtml \(plain sphinx-autobuild.*\): from saving a chapter to the browser "
        rf"showing the change: {NUMBER} s \(fastest of 1\)$",
        rf"^bound: live preview, save to page shown ≤ 2 s: {NUMBER} s, (met|NOT met)$",
    ]
    for pattern in expected:
        assert re.search(pattern, out, re.M), f"{pattern}\n{out}"
    sizes = re.findall(r"^3\. checker \(evidence, pinpoint and meaning rules\), (\d+) sources, (\d+) blocks: .* ([\d.]+) ms/block \(\d+ clean blocks\)", out, re.M)
    assert [(int(s), int(b)) for s, b, _ in sizes] == [(2, 20), (5, 50)], out
    # The replicated book builds as cleanly as the original, and plain Sphinx builds the book's
    # sources with its bibliography found (only the book's own directives and roles are unknown to
    # it): no warning in any figure.
    assert not [line for line in out.splitlines() if "warning(s)" in line or "exit " in line], out
    assert not (ROOT / "tests" / "roots" / "test-claims-clean" / "_generated").exists(), \
        "bench wrote into the test book"
