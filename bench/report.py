"""The bench's results as JSON and a chart (PNG), for docs/performance.md.

    write(results, out=Path("docs/bench"), meta={...})  ->  latest.json, latest.png

The chart shows, per scenario, each variant's requests per second as a bar, labelled with
its ratio to the scenario's bare floor (or, where it has none, its in-stack floor).
"""

import json
import platform
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol


class Row(Protocol):
    """What the report reads of one result (bench.run.Result)."""

    @property
    def rps(self) -> float: ...
    @property
    def errors(self) -> int: ...
    @property
    def p99_ms(self) -> float: ...
    @property
    def scenario(self) -> Any: ...
    @property
    def refused(self) -> dict[str, int]: ...


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return f"{platform.node()}: {cpu}, {cores} cores, {platform.system()} {platform.release()}"


def rows(results: Sequence[Row], reference: dict[str, dict[str, float]]) -> list[dict[str, Any]]:
    """One dict per result; `reference` maps a floor's name to its rate per scenario."""
    out = []
    for r in results:
        group = r.scenario.group
        out.append(
            {
                "scenario": group,
                "variant": r.scenario.variant,
                "requests_per_second": round(r.rps, 1),
                **{
                    f"x_{name}": round(r.rps / floor[group], 3) if floor.get(group) else None
                    for name, floor in reference.items()
                },
                "p99_ms": round(r.p99_ms, 2),
                "non_2xx": r.errors,
                # what they were, where the row's script tells (the basket journey's)
                **({"non_2xx_kinds": r.refused} if r.refused else {}),
            }
        )
    return out


def write(
    results: Sequence[Row],
    reference: dict[str, dict[str, float]],
    *,
    out: Path,
    settings: dict[str, Any],
) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    table = rows(results, reference)
    meta = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python -m bench.run", *sys.argv[1:]]),
        "machine": machine(),
        **settings,
    }
    json_path = out / "latest.json"
    json_path.write_text(json.dumps({"meta": meta, "rows": table}, indent=2) + "\n")
    png_path = out / "latest.png"
    chart(table, meta, png_path)
    return json_path, png_path


def chart(table: list[dict[str, Any]], meta: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = list(dict.fromkeys(row["scenario"] for row in table))
    colours = {
        "agora": "#2b6cb0",
        "bare floor": "#2f855a",
        "floor": "#9ae6b4",
        "naive DRF": "#c53030",
        "django ninja": "#d69e2e",
    }
    figure, axes = plt.subplots(
        len(groups), 1, figsize=(9, 1.2 + 1.05 * len(table) / 2), squeeze=False
    )
    for axis, group in zip(axes[:, 0], groups, strict=True):
        these = [row for row in table if row["scenario"] == group]
        names = [row["variant"] for row in these]
        rates = [row["requests_per_second"] for row in these]
        bars = axis.barh(
            names, rates, color=[colours.get(name, "#718096") for name in names], height=0.6
        )
        axis.invert_yaxis()
        axis.set_title(group, loc="left", fontsize=10)
        axis.tick_params(labelsize=8)
        for bar, row in zip(bars, these, strict=True):
            ratio = row.get("x_bare") or row.get("x_floor")
            label = f"{row['requests_per_second']:.0f}" + (f"  ({ratio:.2f}x)" if ratio else "")
            axis.text(
                bar.get_width(),
                bar.get_y() + bar.get_height() / 2,
                " " + label,
                va="center",
                fontsize=8,
            )
        axis.set_xlim(0, max(rates) * 1.35)
    figure.suptitle(
        f"make bench, {meta['date'][:10]}: requests/s (x the bare floor, else the in-stack floor)",
        fontsize=10,
    )
    figure.tight_layout(rect=(0, 0, 1, 0.99))  # the title above the first chart, not on it
    figure.savefig(path, dpi=110)
    plt.close(figure)
