"""Hosting: built with a web address (as Read the Docs does), the book has a sitemap, canonical
and Open Graph addresses and absolute "Cite this page" addresses; built without one (a local
build), it makes no sitemap and stays warning-free. No build generates a social-card image.
The Read the Docs configuration builds with warnings as errors and offers the PDF.
"""

from __future__ import annotations

import os
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from briefing.htmllinks import third_party_loads
from conftest import ROOT, content_pages, soup, sphinx_build

BASE = "https://book.example/en/latest/"
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
