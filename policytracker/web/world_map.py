"""The world map of `/map/`: every country from the shipped Natural Earth shapes
(`data/world-map.json`), the tracked ones coloured, patterned and linked by the approach they had
on a day. Drawn on the server as SVG; nothing is fetched by the browser."""

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from jurisdictions.vocabulary import Approach, Kind

MAP_FILE = Path(__file__).resolve().parent / "data" / "world-map.json"


@functools.cache
def world():
    """The map file, read once per process: `viewBox`, `countries` ({code: {name, d}}),
    `points` ({code: {name, x, y}}) and `source`."""
    with MAP_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


@dataclass(frozen=True)
class Shape:
    """A tracked jurisdiction on one map: its shape (by code), or a marker where the shape is
    too small to see, with what a reader needs to follow it."""

    code: str
    name: str
    approach: str
    label: str
    url: str
    marker: dict | None


@dataclass(frozen=True)
class WorldMap:
    day: object
    is_today: bool
    shapes: list
    legend: list  # (approach, label, count), the approaches shown, in vocabulary order
    missing: list  # tracked national jurisdictions the map has no shape for
    background: list  # codes of the countries drawn plain: every shape not in `shapes`


def build_map(jurisdictions, day, is_today, page_url):
    """The map of `jurisdictions` (read `as_of(day)`): one shape per national jurisdiction
    with a shape in the map file. `page_url(jurisdiction)` is where its shape links."""
    data = world()
    shapes, missing, counts = [], [], {}
    for jurisdiction in jurisdictions:
        if jurisdiction.kind != Kind.NATIONAL:
            continue
        if jurisdiction.code not in data["countries"]:
            missing.append(jurisdiction)
            continue
        approach = jurisdiction.as_of_approach
        counts[approach] = counts.get(approach, 0) + 1
        shapes.append(
            Shape(
                code=jurisdiction.code,
                name=jurisdiction.name,
                approach=approach,
                label=f"{jurisdiction.name}: {Approach(approach).label}",
                url=page_url(jurisdiction),
                marker=data["points"].get(jurisdiction.code),
            )
        )
    legend = [(value, label, counts[value]) for value, label in Approach.choices if value in counts]
    tracked = {shape.code for shape in shapes}
    background = [code for code in data["countries"] if code not in tracked]
    return WorldMap(day, is_today, shapes, legend, missing, background)
