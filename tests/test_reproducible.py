"""Builds are reproducible: two clean builds of the HTML from two copies of the book, with
SOURCE_DATE_EPOCH set, are byte-identical file for file; a parallel build (-j auto) succeeds with
no parallel-safety warning and writes the same files as a serial one."""

from __future__ import annotations

import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import ROOT, copy_book, sphinx_build


def _epoch() -> str:
    found = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True)
    return found.stdout.strip() or "1795000000"


def _build(workdir: Path, *extra: str) -> tuple[subprocess.CompletedProcess, Path]:
    """A clean build of a fresh copy of the book (its charts drawn anew) into its own dirs."""
    src = copy_book(workdir / "src")
    out = workdir / "html"
    env = dict(os.environ, SOURCE_DATE_EPOCH=_epoch())
    result = sphinx_build(src, "html", out, "-E", "-d", str(workdir / "doctrees"), *extra, quiet=False, env=env)
    return result, out


def _files(outdir: Path) -> dict[str, bytes]:
    return {p.relative_to(outdir).as_posix(): p.read_bytes() for p in sorted(outdir.rglob("*")) if p.is_file()}


def _differences(first: Path, second: Path) -> list[str]:
    a, b = _files(first), _files(second)
    problems = [f"only in one build: {name}" for name in sorted(set(a) ^ set(b))]
    for name in sorted(set(a) & set(b)):
        if a[name] != b[name]:
            at = next(i for i, (x, y) in enumerate(zip(a[name] + b"\0", b[name] + b"\1")) if x != y)
            problems.append(f"{name} differs at byte {at}: {a[name][max(0, at - 60):at + 60]!r} "
                            f"vs {b[name][max(0, at - 60):at + 60]!r}")
    return problems


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """Two serial builds and one parallel build, run side by side."""
    base = tmp_path_factory.mktemp("reproducible")
    with ThreadPoolExecutor(max_workers=3) as pool:
        jobs = {"a": pool.submit(_build, base / "a"), "b": pool.submit(_build, base / "b"),
                "parallel": pool.submit(_build, base / "parallel", "-j", "auto")}
        return {name: job.result() for name, job in jobs.items()}


def test_two_clean_builds_are_identical(builds):
    for name in ("a", "b"):
        result, _ = builds[name]
        assert result.returncode == 0, f"build {name} failed:\n{result.stderr}"
    problems = _differences(builds["a"][1], builds["b"][1])
    assert not problems, "the two builds differ:\n" + "\n".join(problems)


def test_parallel_build_is_clean_and_the_same(builds):
    result, outdir = builds["parallel"]
    assert result.returncode == 0, f"the parallel build failed:\n{result.stderr}"
    assert "parallel" not in result.stderr, result.stderr
    # A parallel reader reports chunks of pages ("reading sources... [ 50%] a .. f").
    assert re.search(r"reading sources\.\.\. \[\s*\d+%\] \S+ \.\. \S+", result.stdout), \
        "the build did not run in parallel:\n" + result.stdout
    problems = _differences(builds["a"][1], outdir)
    assert not problems, "the parallel build differs from the serial one:\n" + "\n".join(problems)

