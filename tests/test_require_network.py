"""tools/require_network.py, which `make linkcheck` runs first: on a machine without a network it
stops at once, saying so; with one, it lets linkcheck run."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest

import require_network
from conftest import ROOT


def run_require_network(*args: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "require_network.py"), *args],
                            capture_output=True, text=True, timeout=30)
    return result, time.monotonic() - started


def test_require_network_fails_fast_and_clearly_when_no_host_answers(tmp_path):
    # ".invalid" names never resolve (RFC 2606), so this holds on any machine.
    bib = tmp_path / "references.bib"
    bib.write_text("@misc{a,\n  url = {https://unreachable.invalid/article},\n}\n", encoding="utf-8")
    result, elapsed = run_require_network(str(bib))
    assert result.returncode == 2, result
    assert elapsed < 8, elapsed
    assert result.stderr.startswith("linkcheck needs network access, and the host cited in "), result.stderr
    assert "unreachable.invalid:" in result.stderr
    assert "machine with internet access" in result.stderr


def test_require_network_on_the_real_bibliography():
    result, elapsed = run_require_network()
    if result.returncode == 0:
        pytest.skip("this machine reaches the cited sites: `make linkcheck` runs")
    assert result.returncode == 2, result
    assert elapsed < 8, elapsed
    assert "linkcheck needs network access" in result.stderr
    for host in ("inozpress.kg", "interfax.com", "24.kg", "english.almayadeen.net"):
        assert f"  {host}: " in result.stderr


def test_require_network_stops_at_the_first_host_that_answers(tmp_path, monkeypatch, capsys):
    """One answering host is enough; the hosts that do not are left to linkcheck to report."""
    bib = tmp_path / "references.bib"
    bib.write_text("@misc{a, url = {https://down.example.org/a},}\n@misc{b, url = {https://up.example.org/b},}\n"
                   "@misc{c, url = {https://later.example.org/c},}\n", encoding="utf-8")
    tried = []

    class Connection:
        def close(self):
            pass

    def connect(address, timeout):
        tried.append(address[0])
        if address[0] == "down.example.org":
            raise TimeoutError("timed out")
        return Connection()

    monkeypatch.setattr(socket, "create_connection", connect)
    assert require_network.main([str(bib)]) == 0
    assert tried == ["down.example.org", "up.example.org"]
    assert capsys.readouterr().err == ""


def test_require_network_says_why_each_host_failed(tmp_path, monkeypatch, capsys):
    bib = tmp_path / "references.bib"
    bib.write_text("@misc{a, url = {https://slow.example.org/a},}\n@misc{b, url = {http://refused.example.org/b},}\n",
                   encoding="utf-8")

    def connect(address, timeout):
        assert timeout == require_network.TIMEOUT
        raise TimeoutError("timed out") if address[0] == "slow.example.org" else ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(socket, "create_connection", connect)
    assert require_network.main([str(bib)]) == 2
    err = capsys.readouterr().err
    assert "none of the 2 hosts cited in" in err, err
    assert "  slow.example.org: timed out\n" in err and "  refused.example.org: Connection refused\n" in err, err


def test_require_network_passes_when_nothing_is_cited(tmp_path):
    bib = tmp_path / "references.bib"
    bib.write_text("@misc{a, title = {No address},}\n", encoding="utf-8")
    result, _ = run_require_network(str(bib))
    assert result.returncode == 0 and result.stderr == "", result


def test_require_network_finds_the_cited_hosts(tmp_path):
    bib = tmp_path / "x.bib"
    bib.write_text('@misc{a, url = {http://a.example.org/x},}\n@misc{b,\n URL = "https://b.example.org:8443/y",}\n'
                   "@misc{c, url = {http://a.example.org/z},}\n", encoding="utf-8")
    assert require_network.cited_hosts([bib]) == [("a.example.org", 80), ("b.example.org", 8443)]
