"""Mean ± std per group of run directories: the table behind ``graphkit compare``."""

from __future__ import annotations

import csv
import glob
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence

import yaml
from matplotlib.figure import Figure

from graphkit.aggregate import mean_std
from graphkit.errors import ConfigError

# keys that differ between runs without making them different experiments
_NOT_A_DIFFERENCE = ("seeds", "name", "plugins", "tracking", "data.root", "data.mirror", "trainer.quiet",
                     "trainer.threads", "trainer.device")


@dataclass(frozen=True)
class _Run:
    path: Path  # the results file
    config: dict[str, Any]  # flattened config.yaml (empty when absent)
    results: dict[str, Any]


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for k, v in data.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: tuple(data) if isinstance(data, list) else data}


def _label(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _ignored(key: str) -> bool:
    return any(key == k or key.startswith(k + ".") for k in _NOT_A_DIFFERENCE)


def _results_files(target: str) -> list[Path]:
    """``results.json`` / ``eval*.json`` files of a path or glob: a file, a run directory
    (its ``results.json``, else its ``eval.json``) or a folder of run directories (searched)."""
    paths = [Path(p) for p in sorted(glob.glob(target))] if any(c in target for c in "*?[") else [Path(target)]
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif (path / "results.json").is_file():
            found.append(path / "results.json")
        elif (path / "eval.json").is_file():
            found.append(path / "eval.json")
        elif path.is_dir():
            found += sorted(path.rglob("results.json"))
        else:
            raise ConfigError(f"{target}: no such file or directory")
    return found


class ResultsTable:
    """Runs grouped by config keys, each metric as mean ± std over every value of the
    group's runs (each seed and split of each run: the ``per_seed`` lists of
    ``results.json``; scalars such as ``params`` and ``wall_seconds`` once per run).

    Args:
        targets: run directories, results files, folders holding run directories, or
            globs of them (``runs/gcn-cora/*``).
        by: the config keys that define a group (``model.name``, ``data.name``); default
            every key whose value differs between the runs (seeds, names, tracking and
            paths left out).
        metrics: dotted paths into the results files (``test.accuracy``, ``val.macro_f1``,
            ``params``, ``wall_seconds``); default ``test.<each run's metric>``,
            ``params``, ``wall_seconds``.
    """

    def __init__(self, targets: Sequence[str], by: Optional[Sequence[str]] = None,
                 metrics: Optional[Sequence[str]] = None) -> None:
        files = [f for t in targets for f in _results_files(str(t))]
        if not files:
            raise ConfigError(f"no results.json or eval.json under {', '.join(map(str, targets))}")
        self.runs = [self._read(f) for f in dict.fromkeys(files)]
        self.by = list(by) if by else self._differing()
        for key in self.by:
            if not any(key in r.config for r in self.runs):
                known = sorted({k for r in self.runs for k in r.config})
                raise ConfigError(f"--by {key}: no run's config has it; keys: {', '.join(known)}")
        if metrics:
            self.metrics = list(metrics)
        else:
            primary = dict.fromkeys(f"test.{r.results['metric']}" for r in self.runs if "metric" in r.results)
            self.metrics = [*primary, "params", "wall_seconds"]
        self.groups: dict[tuple, list[_Run]] = {}
        for run in self.runs:
            self.groups.setdefault(tuple(run.config.get(k) for k in self.by), []).append(run)
        self.rows = [self._row(key, runs) for key, runs in self.groups.items()]

    @staticmethod
    def _read(path: Path) -> _Run:
        try:
            results = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as e:
            raise ConfigError(f"{path}: not a readable results file ({e})") from None
        if not isinstance(results, dict):
            raise ConfigError(f"{path}: not a results file (top level is not a mapping)")
        config_file = path.parent / "config.yaml"
        config = {}
        if config_file.is_file():
            try:
                config = _flatten(yaml.safe_load(config_file.read_text()) or {})
            except yaml.YAMLError as e:
                raise ConfigError(f"{config_file}: invalid YAML ({str(e).splitlines()[0]})") from None
        return _Run(path, config, results)

    def _differing(self) -> list[str]:
        keys = dict.fromkeys(k for r in self.runs for k in r.config)
        return [k for k in keys if not _ignored(k) and len({repr(r.config.get(k)) for r in self.runs}) > 1]

    def _values(self, run: _Run, metric: str) -> list[float]:
        node: Any = run.results
        for part in metric.split("."):
            if not isinstance(node, dict) or part not in node:
                return []
            node = node[part]
        if isinstance(node, dict) and "per_seed" in node:
            return [float(v) for v in node["per_seed"]]
        if isinstance(node, dict) and "mean" in node:
            return [float(node["mean"])]
        if isinstance(node, (int, float)) and not isinstance(node, bool):
            return [float(node)]
        raise ConfigError(f"--metrics {metric}: {run.path} holds {type(node).__name__} there, not a number")

    def _row(self, key: tuple, runs: list[_Run]) -> dict[str, Any]:
        row: dict[str, Any] = {"group": dict(zip(self.by, key)), "runs": len(runs), "metrics": {}}
        for metric in self.metrics:
            values = [v for run in runs for v in self._values(run, metric)]
            row["metrics"][metric] = {**mean_std(values), "n": len(values)} if values else None
        if all(v is None for v in row["metrics"].values()):
            raise ConfigError(f"--metrics {', '.join(self.metrics)}: none is in {runs[0].path}")
        return row

    # -- output -------------------------------------------------------------------------
    def _header(self) -> list[str]:
        return [*(self.by or ["runs of"]), "runs", *self.metrics]

    @staticmethod
    def _cell(stat: Optional[dict[str, float]], pm: str = " ± ") -> str:
        if stat is None:
            return "–"
        mean, std = stat["mean"], stat["std"]
        digits = 0 if abs(mean) >= 1000 else 2 if abs(mean) >= 10 else 4
        return f"{mean:.{digits}f}{pm}{std:.{digits}f}"

    def _cells(self, row: dict[str, Any], pm: str = " ± ") -> list[str]:
        group = [_label(v) for v in row["group"].values()] or [", ".join(sorted({str(r.path.parent) for r in self.runs}))]
        return [*group, str(row["runs"]), *(self._cell(row["metrics"][m], pm) for m in self.metrics)]

    def to_markdown(self) -> str:
        header = self._header()
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        lines += ["| " + " | ".join(self._cells(r)) + " |" for r in self.rows]
        return "\n".join(lines) + "\n"

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([*self.by, "runs", *(f"{m}_{s}" for m in self.metrics for s in ("mean", "std", "n"))])
        for r in self.rows:
            stats = [r["metrics"][m] or {} for m in self.metrics]
            writer.writerow([*r["group"].values(), r["runs"],
                             *(s.get(k, "") for s in stats for k in ("mean", "std", "n"))])
        return out.getvalue()

    def to_latex(self) -> str:
        def esc(text: str) -> str:
            return text.replace("\\", r"\textbackslash{}").replace("_", r"\_").replace("%", r"\%").replace("&", r"\&")

        header = self._header()
        lines = [r"\begin{tabular}{" + "l" * len(self.by or [0]) + "r" * (len(header) - len(self.by or [0])) + "}",
                 r"\toprule", " & ".join(esc(h) for h in header) + r" \\", r"\midrule"]
        lines += [" & ".join(esc(c) if "$" not in c else c for c in self._cells(r, r" $\pm$ ")) + r" \\"
                  for r in self.rows]
        lines += [r"\bottomrule", r"\end{tabular}"]
        return "\n".join(lines) + "\n"

    def render(self, fmt: str) -> str:
        formats = {"md": self.to_markdown, "csv": self.to_csv, "latex": self.to_latex}
        if fmt not in formats:
            raise ConfigError(f"--format {fmt!r}; valid: {', '.join(formats)}")
        return formats[fmt]()

    def plot(self, path: Path) -> Path:
        """One bar per group and metric, the std as error bars."""
        metrics = [m for m in self.metrics if any(r["metrics"][m] for r in self.rows)]
        fig = Figure(figsize=(max(4.0, 1.2 * len(self.rows)) * len(metrics), 4))
        axes = fig.subplots(1, len(metrics), squeeze=False)[0]
        labels = ["\n".join(f"{k}={_label(v)}" for k, v in r["group"].items()) or "all" for r in self.rows]
        for ax, metric in zip(axes, metrics):
            stats = [r["metrics"][metric] or {"mean": 0.0, "std": 0.0} for r in self.rows]
            ax.bar(range(len(stats)), [s["mean"] for s in stats], yerr=[s["std"] for s in stats], capsize=4,
                   color=[f"C{i % 10}" for i in range(len(stats))])
            ax.set_xticks(range(len(stats)), labels, fontsize=7)
            ax.set_title(metric)
            ax.grid(alpha=0.3, axis="y")
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=100)
        return path
