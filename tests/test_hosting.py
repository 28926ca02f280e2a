"""Hosting: built with a web address (as Read the Docs does), the book has a sitemap, canonical
and Open Graph addresses and absolute "Cite this page" addresses; built without one (a local
build), it makes no sitemap and stays warning-free. An http:// address builds as cleanly as an
https:// one: the book's own host is not a plain-http link to flag. No build generates a
social-card image. The Read the Docs configuration builds with warnings as errors and offers the PDF.
"""

from __future__ import annotations

import os
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from briefing.htmllinks import check_site, third_party_loads
from conftest import ROOT, content_pages, soup, sphinx_build

BASE = "https://book.example/en/latest/"
HTTP_BASE = "http://127.0.0.1:8766/briefing/"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def hosted_html(tmp_path_factory) -> Path:
    """The real book built as Read the Docs builds it, with READTHEDOCS_CANONICAL_URL set."""
    out = tmp_path_factory.mktemp("hosted") / "html"
    env = {**os.environ, "READTHEDOCS_CANONICAL_URL": BASE.rstrip("/")}
    env.pop("BRIEFING_BASEURL", None)
    result = sphinx_build(ROOT, "html", out, "-d", str(out.parent / "doctrees"), env=env)
    assert result.returncode == 0, f"the hosted build is not clean:\n{result.stderr}"
    return out


@pytest.fixture(scope="module")
def http_hosted_html(tmp_path_factory) -> Path:
    """The real book built for a plain-http address, as BRIEFING_BASEURL gives it (README)."""
    out = tmp_path_factory.mktemp("http-hosted") / "html"
    env = {**os.environ, "BRIEFING_BASEURL": HTTP_BASE}
    env.pop("READTHEDOCS_CANONICAL_URL", None)
    result = sphinx_build(ROOT, "html", out, "-d", str(out.parent / "doctrees"), env=env)
    assert result.returncode == 0, f"the build for {HTTP_BASE} fails its own checks:\n{result.stderr}"
    return out


def test_a_plain_http_address_builds_with_its_own_addresses(http_hosted_html):
    for path in content_pages(http_hosted_html):
        rel = path.relative_to(http_hosted_html).as_posix()
        page = soup(path)
        assert page.find("link", rel="canonical")["href"] == HTTP_BASE + rel, rel
        assert page.find("meta", property="og:url")["content"] == HTTP_BASE + rel, rel
    assert (http_hosted_html / "sitemap.xml").is_file()
    register = (http_hosted_html / "data" / "claims-register.jsonld").read_text(encoding="utf-8")
    assert f'"id": "{HTTP_BASE}data/claims-register.jsonld"' in register
    assert "briefing-book.invalid" not in register


def test_only_the_books_own_host_may_be_linked_over_plain_http(tmp_path):
    (tmp_path / "index.html").write_text(
        '<html lang="en"><head><title>t</title><link rel="canonical" href="http://own.example/index.html"></head>'
        '<body><a href="http://own.example/other.html">own</a> <a href="http://other.example/">other</a></body></html>',
        encoding="utf-8")
    report = check_site(tmp_path, own_hosts=frozenset({"own.example"}))
    flagged = [str(problem) for problem in report.problems if "plain http" in str(problem)]
    assert len(flagged) == 1 and "other.example" in flagged[0], flagged
    # Without the address, its own host is as any other.
    report = check_site(tmp_path)
    assert len([p for p in report.problems if "plain http" in str(p)]) == 3


def test_sitemap_lists_every_page_at_its_address(hosted_html):
    tree = ElementTree.parse(hosted_html / "sitemap.xml")
    listed = {loc.text for loc in tree.iter(f"{SITEMAP_NS}loc")}
    expected = {BASE + p.relative_to(hosted_html).as_posix() for p in content_pages(hosted_html)}
    assert expected <= listed, f"pages missing from the sitemap: {sorted(expected - listed)}"
    assert all(url.startswith(BASE) for url in listed)


def test_canonical_and_open_graph_addresses(hosted_html):
    for path in content_pages(hosted_html):
        rel = path.relative_to(hosted_html).as_posix()
        page = soup(path)
        canonical = page.find("link", rel="canonical")
        assert canonical and canonical["href"] == BASE + rel, rel
        og_url = page.find("meta", property="og:url")
        assert og_url and og_url["content"] == BASE + rel, rel
        assert page.find("meta", property="og:title"), rel


def test_no_social_card_image(hosted_html, book_html):
    for html_dir in (hosted_html, book_html):
        for path in content_pages(html_dir):
            page = soup(path)
            assert not page.find("meta", property="og:image"), path.name
        assert not (html_dir / "_images" / "social_previews").exists()


def test_cite_this_page_uses_the_hosted_address(hosted_html):
    for path in content_pages(hosted_html):
        rel = path.relative_to(hosted_html).as_posix()
        section = soup(path).find("section", id="cite-this-page")
        assert f"url          = {{{BASE}{rel}}}" in section.find("pre").get_text(), rel
        assert section.find("p", class_="cite-reference").get_text().endswith(BASE + rel), rel
        assert "no configured web address" not in section.get_text(), rel


def test_hosted_pages_load_nothing_from_other_hosts(hosted_html):
    problems = third_party_loads(hosted_html, frozenset({"book.example"}))
    assert not problems, "third-party resources:\n" + "\n".join(map(str, problems))


def test_local_build_has_no_sitemap(book_html):
    assert not (book_html / "sitemap.xml").exists()


def test_read_the_docs_configuration():
    config = yaml.safe_load((ROOT / ".readthedocs.yaml").read_text(encoding="utf-8"))
    assert config["version"] == 2
    assert config["build"]["os"].startswith("ubuntu-")
    assert config["build"]["tools"]["python"] == "3.11"
    assert {"requirements": "requirements.txt"} in config["python"]["install"]
    assert config["sphinx"] == {"configuration": "conf.py", "fail_on_warning": True}
    assert config["formats"] == ["pdf", "epub"]
    assert "apt_packages" not in config["build"]  # Read the Docs provides TeX itself


def test_open_graph_description_everywhere_and_no_address_without_one(book_html):
    for path in content_pages(book_html):
        page = soup(path)
        description = page.find("meta", property="og:description")
        assert description and description["content"].strip(), path.name
        assert not page.find("meta", property="og:url"), f"{path.name}: og:url without a web address"
    source = soup(book_html / "sources" / "interfax2022withdrawal.html")
    assert source.find("meta", property="og:description")["content"].startswith("The archived text of Interfax")
