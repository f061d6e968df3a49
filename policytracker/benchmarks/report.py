"""The benchmark's results as Markdown tables (for the terminal and a README) and as JSON."""

from __future__ import annotations

import json
from pathlib import Path

DASH = "—"


def ms(value: float | None) -> str:
    if value is None:
        return DASH
    if value < 10:
        return f"{value:.2f}"
    if value < 100:
        return f"{value:.1f}"
    return f"{value:,.0f}"


def times(value: float | None) -> str:
    if value is None:
        return DASH
    return f"{value:.1f}×" if value < 100 else f"{value:,.0f}×"


def per_second(value: float | None) -> str:
    if value is None:
        return DASH
    return f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def kilobytes(value: int | None) -> str:
    if value is None:
        return DASH
    return f"{value / 1024:,.1f}"


def count(value) -> str:
    return DASH if value is None else f"{value:,}"


def table(header: list[str], rows: list[list[str]], align: str = "") -> list[str]:
    """A Markdown table; `align` has one letter per column, `l` or `r` (right by default,
    the first column left)."""
    align = align or "l" + "r" * (len(header) - 1)
    rule = ["---:" if side == "r" else "---" for side in align]
    return [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(rule) + " |",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def requests_table(run: dict) -> list[str]:
    header = [
        "request", "n", "ms (median)", "p95", "req/s", "queries", "KB",
        "Datasette ms", "p95", "req/s", "queries", "KB",
        "floor ms (SQL + no-DB)", "÷ floor", "÷ Datasette",
    ]  # fmt: skip
    rows = []
    for item in run["requests"]:
        ours, theirs, floor = item["ours"], item.get("datasette") or {}, item.get("floor") or {}
        n = str(ours.get("n", 0)) + (f"/{theirs['n']}" if theirs.get("n") else "")
        floor_text = DASH
        if floor.get("ms") is not None:
            floor_text = f"{ms(floor['ms'])} ({ms(floor['sql_ms'])} + {ms(floor['no_db_ms'])})"
        rows.append([
            item["label"], n, ms(ours.get("median_ms")), ms(ours.get("p95_ms")),
            per_second(ours.get("requests_per_second")), count(ours.get("queries")),
            kilobytes(ours.get("bytes")),
            ms(theirs.get("median_ms")), ms(theirs.get("p95_ms")),
            per_second(theirs.get("requests_per_second")), count(theirs.get("queries")),
            kilobytes(theirs.get("bytes")),
            floor_text, times(item.get("to_floor")), times(item.get("to_datasette")),
        ])  # fmt: skip
    return table(header, rows)


def csv_table(run: dict) -> list[str]:
    csv = run.get("csv")
    if not csv:
        return []
    lines = [
        f"CSV: `{csv['filter']}`, {csv['rows']:,} rows.",
        "",
    ]
    plain = csv.get("plain") or {}
    rows = [
        ["the API (`format=csv`)", ms(csv["ours_ms"]), kilobytes(csv.get("ours_bytes")), DASH],
        [
            "plain driver + `csv.writer`",
            ms(plain.get("median_ms")),
            kilobytes(plain.get("bytes")),
            times(csv.get("to_plain")),
        ],
        [
            "Datasette (`.csv?_stream=on`)",
            ms(csv.get("datasette_ms")),
            kilobytes(csv.get("datasette_bytes")),
            times(csv.get("to_datasette")),
        ],
    ]
    lines += table(["CSV", "ms (median)", "KB", "API ÷ it"], rows)
    memory = csv.get("memory") or []
    if memory:
        lines += ["", *table(
            ["CSV rows", "peak MiB (tracemalloc, in-process)"],
            [[f"{m['rows']:,}", f"{m['peak_mib']:.1f}"] for m in memory],
        )]  # fmt: skip
    return lines


def throughput_table(run: dict) -> list[str]:
    items = run.get("throughput") or []
    if not items:
        return []
    rows = [
        [
            item["label"], str(item["connections"]), f"{item['seconds']:g}",
            per_second(item["requests_per_second"]), count(item["errors"]),
            ms(item.get("median_ms")), ms(item.get("p95_ms")),
        ]
        for item in items
    ]  # fmt: skip
    return table(["throughput", "connections", "s", "req/s", "errors", "ms (median)", "p95"], rows)


def run_header(run: dict) -> list[str]:
    lines = [
        f"### {run['instruments']:,} instruments ({run['synthetic']:,} synthetic)",
        "",
        f"Filtered on `{run['country']}` ({run['country_rows']:,} instruments, "
        f"{run['binding_rows']:,} binding laws); search word “{run['search_word']}”; no-database "
        f"request `{run['no_db']['path']}` ({ms(run['no_db'].get('median_ms'))} ms).",
    ]
    export = run.get("export")
    if export:
        lines.append(
            f"SQLite copy for Datasette: {export['rows']:,} rows in {export['seconds']:.1f} s "
            f"({export['chunks']} chunks, {export['megabytes']:.0f} MB)."
        )
    for check in run.get("checks", []):
        lines.append(f"Check: {check}")
    return lines


def growth_table(runs: list[dict]) -> list[str]:
    """How each median grows with the size: a column per size, then largest ÷ smallest."""
    if len(runs) < 2:
        return []
    sizes = [run["synthetic"] for run in runs]
    header = ["request", *(f"{size:,}" for size in sizes), "largest ÷ smallest"]
    rows = []
    for side, name in (("ours", ""), ("datasette", " (Datasette)")):
        for index, item in enumerate(runs[0]["requests"]):
            medians = []
            for run in runs:
                other = run["requests"][index] if index < len(run["requests"]) else {}
                medians.append((other.get(side) or {}).get("median_ms"))
            if all(value is None for value in medians):
                continue
            first, last = medians[0], medians[-1]
            growth = last / first if first and last is not None else None
            # The CSV's rows differ from size to size (the nearest to --csv-rows).
            label = "CSV download" if item["key"] == "csv" else item["label"]
            rows.append([label + name, *(ms(v) for v in medians), times(growth)])
    for index, item in enumerate(runs[0].get("throughput") or []):
        values = [
            (run.get("throughput") or [{}] * (index + 1))[index].get("requests_per_second")
            for run in runs
        ]
        growth = values[-1] / values[0] if values[0] and values[-1] is not None else None
        rows.append([f"{item['label']} (req/s)", *(per_second(v) for v in values), times(growth)])
    return ["Medians (ms) by number of synthetic instruments:", "", *table(header, rows)]


def machine_line(machine: dict) -> str:
    line = (
        f"{machine['cores']} cores, {machine['database']}, Python {machine['python']}, "
        f"gunicorn {machine.get('gunicorn', '?')}"
        + (f" ({machine['workers']} sync workers)" if machine.get("workers") else "")
        + (f", {machine['datasette']}" if machine.get("datasette") else "")
    )
    loads = [machine.get(f"load_average_{when}") for when in ("before", "after")]
    if all(loads):
        line += f"; load average {loads[0][0]:.1f} before, {loads[1][0]:.1f} after"
    return line


def render(results: dict) -> str:
    lines = [f"Machine: {machine_line(results['machine'])}.", ""]
    for run in results["runs"]:
        lines += run_header(run) + [""] + requests_table(run) + [""]
        csv_lines = csv_table(run)
        if csv_lines:
            lines += csv_lines + [""]
        throughput_lines = throughput_table(run)
        if throughput_lines:
            lines += throughput_lines + [""]
    lines += growth_table(results["runs"])
    return "\n".join(lines).rstrip() + "\n"


def write_json(results: dict, path: Path | str) -> None:
    Path(path).write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
