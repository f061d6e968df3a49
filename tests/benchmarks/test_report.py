"""The benchmark's results as Markdown tables and JSON (`policytracker.benchmarks.report`)."""

import json

from policytracker.benchmarks import report


def request(key, label, ours, datasette=None, floor=None):
    item = {"key": key, "label": label, "ours": ours, "datasette": datasette, "floor": floor}
    item["to_floor"] = ours["median_ms"] / floor["ms"] if floor else None
    item["to_datasette"] = ours["median_ms"] / datasette["median_ms"] if datasette else None
    return item


def figures(median, n=30, queries=9, size=50_000):
    return {"n": n, "median_ms": median, "p95_ms": median * 1.5,
            "requests_per_second": 1000 / median, "bytes": size, "queries": queries}  # fmt: skip


def run(synthetic, scale=1.0):
    return {
        "instruments": synthetic + 180,
        "synthetic": synthetic,
        "country": "ZS001",
        "country_rows": synthetic // 3,
        "binding_rows": synthetic // 12,
        "search_word": "recognition",
        "no_db": {"path": "/api/", "median_ms": 5.0},
        "export": {"rows": synthetic + 180, "seconds": 3.5, "chunks": 6, "megabytes": 9.1},
        "checks": ["filtered list: 10 rows here, 10 in Datasette; first page the same"],
        "requests": [
            request(
                "list",
                "API list, 2 filters",
                figures(40.0 * scale),
                figures(10.0, queries=3),
                {"sql_ms": 15.0, "no_db_ms": 5.0, "ms": 20.0},
            ),
            request(
                "as_of",
                "API list as of 2025-08-08",
                figures(80.0 * scale),
                None,
                {"sql_ms": 35.0, "no_db_ms": 5.0, "ms": 40.0},
            ),
            request(
                "csv",
                f"CSV, {synthetic // 10:,} rows",
                figures(900.0 * scale),
                figures(450.0),
                {"sql_ms": 295.0, "no_db_ms": 5.0, "ms": 300.0},
            ),
        ],
        "csv": {
            "filter": "jurisdiction=ZS003",
            "rows": 10_063,
            "ours_ms": 900.0,
            "ours_bytes": 5_000_000,
            "datasette_ms": 450.0,
            "datasette_bytes": 6_000_000,
            "plain": {"median_ms": 300.0, "bytes": 4_900_000},
            "to_plain": 3.0,
            "to_datasette": 2.0,
            "memory": [{"rows": 1_006, "peak_mib": 4.4}, {"rows": 10_063, "peak_mib": 4.6}],
        },
        "throughput": [
            {
                "label": "ours, 1 server",
                "connections": 8,
                "seconds": 20.0,
                "requests_per_second": 50.0 / scale,
                "errors": 0,
                "median_ms": 150.0,
                "p95_ms": 200.0,
            },
            {
                "label": "Datasette",
                "connections": 8,
                "seconds": 20.0,
                "requests_per_second": 200.0,
                "errors": 1,
                "median_ms": 40.0,
                "p95_ms": 60.0,
            },
        ],  # fmt: skip
    }


RESULTS = {
    "machine": {"cores": 2, "database": "PostgreSQL 15.20", "python": "3.11.7",
                "gunicorn": "23.0.0", "workers": 2, "datasette": "datasette, version 0.65.5"},
    "runs": [run(10_000), run(100_000, scale=2.0)],
}  # fmt: skip


def test_the_requests_table_with_ratios_and_dashes_where_datasette_has_nothing():
    lines = report.requests_table(RESULTS["runs"][0])
    assert lines[0].startswith("| request | n | ms (median) | p95 | req/s | queries | KB |")
    assert lines[1].startswith("| --- | ---: |")
    listed, as_of = lines[2], lines[3]
    cells = [cell.strip() for cell in listed.strip("|").split("|")]
    assert cells[0] == "API list, 2 filters"
    assert cells[1] == "30/30"
    assert cells[2] == "40.0"
    assert cells[5] == "9"
    assert cells[7] == "10.0"
    assert cells[12] == "20.0 (15.0 + 5.00)"
    assert cells[13] == "2.0×"
    assert cells[14] == "4.0×"
    cells = [cell.strip() for cell in as_of.strip("|").split("|")]
    assert cells[7] == cells[14] == "—"
    assert cells[13] == "2.0×"


def test_the_whole_report_has_every_section_and_the_growth():
    text = report.render(RESULTS)
    assert text.startswith("Machine: 2 cores, PostgreSQL 15.20")
    assert "### 10,180 instruments (10,000 synthetic)" in text
    assert "### 100,180 instruments (100,000 synthetic)" in text
    assert "| plain driver + `csv.writer` | 300 |" in text
    assert "| 10,063 | 4.6 |" in text
    assert "| Datasette | 8 | 20 | 200 | 1 | 40.0 | 60.0 |" in text
    assert "Check: filtered list" in text
    growth = text[text.index("Medians (ms) by number") :]
    assert "| request | 10,000 | 100,000 | largest ÷ smallest |" in growth
    assert "| API list, 2 filters | 40.0 | 80.0 | 2.0× |" in growth
    assert "| API list, 2 filters (Datasette) | 10.0 | 10.0 | 1.0× |" in growth
    assert "| ours, 1 server (req/s) | 50.0 | 25.0 | 0.5× |" in growth
    # The CSV's rows differ from size to size: one row for it all the same.
    assert "| CSV download | 900 | 1,800 | 2.0× |" in growth
    # No Datasette figure for `as_of`: no Datasette row for it.
    assert "as of 2025-08-08 (Datasette)" not in growth


def test_one_size_has_no_growth_table():
    assert "Medians (ms) by number" not in report.render({**RESULTS, "runs": RESULTS["runs"][:1]})


def test_every_figure_goes_to_json(tmp_path):
    path = tmp_path / "bench.json"
    report.write_json(RESULTS, path)
    assert json.loads(path.read_text()) == RESULTS
