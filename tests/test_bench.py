"""tools/bench.py runs and prints its three figures (on a small book: no time is asserted)."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT


def test_bench_prints_its_three_figures():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "bench.py"), "--tiny"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(r"^1\. full build \(fastest of 1\): with checks [\d.]+ s; checks off [\d.]+ s; ratio [\d.]+$", out, re.M), out
    assert re.search(r"^2\. rebuild after editing chapters/one\.md: [\d.]+ s; \d+ of \d+ pages rewritten: "
                     r".*chapters/one\.html", out, re.M), out
    sizes = re.findall(r"^3\. checker, (\d+) sources, (\d+) blocks: .* ([\d.]+) ms/block \(\d+ clean blocks\)", out, re.M)
    assert [(int(s), int(b)) for s, b, _ in sizes] == [(2, 20), (5, 50)], out
    assert not (ROOT / "tests" / "roots" / "test-charts" / "_generated").exists(), "bench wrote into the test book"
