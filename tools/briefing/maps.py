"""The locator map, drawn with matplotlib from data/geo/ (Natural Earth boundaries, GeoNames
places; tools/geodata/extract.py made the files). Pure Python, no Sphinx:
tools/extensions/briefing_map.py decides when to draw and cites the data sets."""

from __future__ import annotations

import csv
import hashlib
import json
import math
import textwrap
from pathlib import Path

from .charts import _figure, _in_book_style, describe

FILES = ("boundaries.geojson", "places.csv")
# The two countries of the conflict, and the neighbours around them.
FOCUS = {"Kyrgyzstan": "#E8C872", "Tajikistan": "#9CC8A6"}
NEIGHBOUR = "#E6E6E6"
# Where each country's name is written (longitude, latitude): inside its part of the frame.
COUNTRY_LABELS = {"Kyrgyzstan": (74.6, 41.6), "Tajikistan": (71.2, 38.7), "Uzbekistan": (66.3, 40.6),
                  "Kazakhstan": (70.0, 43.9), "China": (78.8, 39.2), "Afghanistan": (67.6, 36.3)}
# Which side of its dot a place's name goes, so that no two names overlap.
LABEL_SIDE = {"Bishkek": "above", "Balykchy": "above", "Osh": "right", "Batken": "below", "Dushanbe": "below"}


def provenance_problems(geo_dir: Path) -> list[str]:
    """Each file the map reads must be the one provenance.json records (by SHA-256)."""
    record_path = geo_dir / "provenance.json"
    if not record_path.is_file():
        return [f"{record_path}: missing; run tools/geodata/extract.py"]
    record = json.loads(record_path.read_text(encoding="utf-8"))
    problems = []
    for name in FILES:
        path = geo_dir / name
        if name not in record:
            problems.append(f"{record_path}: no record of {name}; run tools/geodata/extract.py")
        elif not path.is_file():
            problems.append(f"{path}: missing; run tools/geodata/extract.py")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != record[name]["sha256"]:
            problems.append(f"{path}: its SHA-256 is not the one {record_path.name} records: the file was "
                            "changed by hand; regenerate it with tools/geodata/extract.py")
    return problems


def read_geo(geo_dir: Path) -> dict:
    boundaries = json.loads((geo_dir / "boundaries.geojson").read_text(encoding="utf-8"))
    with open(geo_dir / "places.csv", newline="", encoding="utf-8") as handle:
        places = [{"name": r["name"], "lon": float(r["longitude"]), "lat": float(r["latitude"])}
                  for r in csv.DictReader(handle)]
    return {"boundaries": boundaries, "places": places}


@_in_book_style
def draw_map(boundaries: dict, places: list[dict], title: str, credit: str, dark: bool = False,
             width: float = 6.0, alt: str = ""):
    """Countries filled (the two of the conflict in colour), their borders, and a dot and a name
    for each place; the title and the data's credit inside the image, the title and ``alt`` (the
    map's text alternative) as the SVG's <title> and <desc>."""
    from matplotlib.patches import Polygon

    ink = "#e8e8e8" if dark else "#1a1a1a"
    paper = "#1e1f22" if dark else "white"
    west, south, east, north = boundaries["bbox"]
    # No wider than the PDF's text block, so that print never shrinks its 9 pt text.
    # A phone's drawing is narrower, so that its text fills a 390 px screen at 12 px or more.
    fig = _figure(width, width * 0.8 if width < 6.0 else width * 0.75)
    fig.set_facecolor(paper)
    ax = fig.subplots()
    ax.set_facecolor("#33404d" if dark else "#dfeaf3")  # outside every country kept: beyond the frame
    for feature in boundaries["features"]:
        name = feature["properties"]["name"]
        colour = FOCUS.get(name, "#45474c" if dark else NEIGHBOUR)
        if dark and name in FOCUS:
            colour = {"Kyrgyzstan": "#8a7330", "Tajikistan": "#3f7050"}[name]
        for polygon in feature["geometry"]["coordinates"]:
            for i, ring in enumerate(polygon):
                fill = paper if i else colour  # a hole (an enclave of another country) shows as such
                ax.add_patch(Polygon(ring, closed=True, facecolor=fill, edgecolor=ink, linewidth=0.6))
    for name, (lon, lat) in COUNTRY_LABELS.items():
        weight = "bold" if name in FOCUS else "normal"
        ax.text(lon, lat, name.upper(), ha="center", va="center", fontsize=9.5, color=ink,
                fontweight=weight, alpha=0.9 if name in FOCUS else 0.7)
    offsets = {"above": (0, 7, "center", "bottom"), "below": (0, -7, "center", "top"),
               "right": (7, 0, "left", "center"), "left": (-7, 0, "right", "center")}
    for place in places:
        ax.plot([place["lon"]], [place["lat"]], marker="o", markersize=5, color=ink,
                markeredgecolor=paper, markeredgewidth=0.8, linestyle="none", zorder=4)
        dx, dy, ha, va = offsets[LABEL_SIDE.get(place["name"], "right")]
        ax.annotate(place["name"], (place["lon"], place["lat"]), xytext=(dx, dy), textcoords="offset points",
                    ha=ha, va=va, fontsize=10, color=ink, fontweight="bold", zorder=5)
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    # Equirectangular, scaled at the frame's middle latitude so that shapes are not stretched.
    ax.set_aspect(1 / math.cos(math.radians((south + north) / 2)))
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color(ink)
    ax.set_title(textwrap.fill(title, 36 if width < 6.0 else 80), loc="left", fontsize=11, fontweight="bold", color=ink)
    ax.set_xlabel(textwrap.fill(credit, 44 if width < 6.0 else 90), loc="left", fontsize=9.5, color=ink)
    return describe(fig, title, alt)
