"""``{locator-map}``: the locator map, drawn at build time from data/geo/ (Natural Earth
boundaries and GeoNames places, as tools/geodata/extract.py extracted them from their registry
packages) and captioned with a citation of each data set.

The files must be the ones data/geo/provenance.json records (their SHA-256): a file changed by
hand fails the build. The data sets are cited as data sets (``@dataset`` in references.bib): they
have no archived text, so the figure is no claim of the book's about the conflict and the claims
rule passes over it (the places it names are the ones the chapter's list cites).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from briefing import charts, maps
from briefing_charts import chart_images, ensure_drawn
from briefing_claims import EXEMPT_CLASS

logger = logging.getLogger(__name__)
WARN = {"type": "briefing", "subtype": "map"}
CODE = [Path(maps.__file__), Path(charts.__file__)]


class LocatorMap(SphinxDirective):
    has_content = True
    option_spec = {"alt": directives.unchanged, "name": directives.unchanged,
                   "datasets": directives.unchanged_required, "title": directives.unchanged}

    def run(self):
        geo_dir = Path(self.env.srcdir) / self.config.briefing_geo_dir
        for path in [geo_dir / n for n in (*maps.FILES, "provenance.json")] + CODE:
            self.env.note_dependency(str(path))
        problems = maps.provenance_problems(geo_dir)
        for problem in problems:
            logger.warning(f"locator-map: {problem} (no map drawn)", location=self.get_location(), **WARN)
        keys = [k.strip() for k in self.options.get("datasets", "").split(",") if k.strip()]
        if not keys:
            logger.warning("locator-map: name the data sets it is drawn from (:datasets: key, key), "
                           "each a @dataset entry of the bibliography", location=self.get_location(), **WARN)
        if problems or not keys:
            return []
        geo = maps.read_geo(geo_dir)
        title = self.options.get("title", "Kyrgyzstan, Tajikistan and their neighbours")
        credit = "Boundaries: Natural Earth (public domain). Places: GeoNames (CC BY 4.0)."
        names = ", ".join(p["name"] for p in geo["places"])
        alt = self.options.get("alt") or (f"Map of Kyrgyzstan and Tajikistan with their neighbours, marking {names}.")
        stem = "map-" + hashlib.sha256(json.dumps({
            "geo": geo, "title": title, "credit": credit, "alt": alt,
            "code": [hashlib.sha256(p.read_bytes()).hexdigest() for p in CODE],
            "matplotlib": importlib.metadata.version("matplotlib")}, sort_keys=True).encode()).hexdigest()[:16]
        out = Path(self.env.doctreedir) / "charts"
        drawings = {"": {}, "-dark": {"dark": True}, "-phone": {"width": charts.PHONE},
                    "-phone-dark": {"width": charts.PHONE, "dark": True}}
        # Drawn once per data, code and matplotlib, kept as the charts are (a new build folder
        # takes it from the user's cache: drawing it costs seconds of every full build).
        ensure_drawn(out, stem, drawings,
                     lambda **changes: maps.draw_map(geo["boundaries"], geo["places"], title, credit, alt=alt, **changes))
        figure = nodes.figure(classes=["briefing-chart", "briefing-map", EXEMPT_CLASS])
        figure["reason"] = "a map drawn from cited data sets, not from the sources"
        self.set_source_info(figure)
        figure += chart_images(self.env, out, stem, alt)
        self.add_name(figure)
        text = " ".join(line.strip() for line in self.content if line.strip())
        cites = f"Data: {{cite:p}}`{','.join(keys)}`."
        box = nodes.container()
        self.state.nested_parse(StringList([f"{text} {cites}".strip()], source=self.get_source_info()[0]),
                                self.content_offset, box)
        paragraph = box.children[0] if box.children else nodes.paragraph()
        caption = nodes.caption(paragraph.rawsource, "", *paragraph.children)
        caption.source, caption.line = self.get_source_info()
        figure += caption
        return [figure]


def setup(app):
    app.setup_extension("briefing_claims")
    app.setup_extension("briefing_charts")
    app.add_config_value("briefing_geo_dir", "data/geo", "env", types=frozenset({str}))
    app.add_directive("locator-map", LocatorMap)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
