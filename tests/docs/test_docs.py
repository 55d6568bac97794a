"""The README stays a doorway and the generated docs pages stay current."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"

SETUP_COMMANDS = (
    "python3 -m venv .venv && . .venv/bin/activate && pip install torch==2.13.0 && pip install -e . && "
    "GRAPHKIT_MIRROR=../shared/datasets graphkit train configs/gcn/cora.yaml",
    "python3 -m venv .venv && . .venv/bin/activate && pip install torch==2.13.0 && pip install -e \".[test]\" && pytest",
)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start:] if end < 0 else text[start:end]


def test_gen_docs_generated_pages_current() -> None:
    done = subprocess.run([sys.executable, "docs/gen_docs.py", "--check"], cwd=ROOT, capture_output=True,
                          text=True, env=_env())
    assert done.returncode == 0, done.stderr


def test_readme_at_most_250_lines() -> None:
    assert len(README.read_text().splitlines()) <= 250


def test_readme_exactly_the_two_setup_commands() -> None:
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(), re.S)
    setups = [line for block in blocks for line in block.splitlines() if "python3 -m venv" in line]
    assert tuple(setups) == SETUP_COMMANDS


def test_readme_links_exist() -> None:
    text = README.read_text()
    links = [t for t in re.findall(r"\]\(([^)\s]+)\)", text) if not re.match(r"[a-z]+://", t)]
    assert any(t.startswith("docs/") for t in links)
    missing = [t for t in links if not (ROOT / t.split("#", 1)[0]).exists()]
    assert not missing


def test_readme_links_every_docs_page() -> None:
    text = README.read_text()
    index = (DOCS / "index.md").read_text()
    pages = {p.name for p in DOCS.glob("*.md")}
    assert {p for p in pages if f"docs/{p}" not in text and f"({p})" not in index} == set()


def test_readme_package_map_names_every_folder() -> None:
    package_map = _section(README.read_text(), "## Package map")
    folders = [p for p in (ROOT / "graphkit").iterdir() if p.is_dir() and (p / "__init__.py").exists()]
    folders += [p for p in (ROOT / "graphkit" / "nn").iterdir() if p.is_dir() and (p / "__init__.py").exists()]
    missing = [str(p.relative_to(ROOT)) for p in folders if f"`{p.relative_to(ROOT)}/`" not in package_map]
    assert not missing
    for layer in ("GPSLayer", "GMNLayer", "GSMLayer"):
        assert layer in package_map


def test_readme_results_numbers_come_from_docs_results() -> None:
    """Every number of the README's results teaser is on the generated results page (read from
    benchmarks/results/) or on the hand-kept page of rows no JSON file records."""
    results = _section(README.read_text(), "## Results")
    rows = [line for line in results.splitlines() if line.startswith("| ") and not line.startswith("| capability")]
    sources = (DOCS / "results.md").read_text() + (DOCS / "results-unrecorded.md").read_text()
    assert rows
    for row in rows:
        ours = row.split(" | ")[2]
        assert ours in sources, row


def test_check_readme_rows_match_readme() -> None:
    spec = importlib.util.spec_from_file_location("check_readme", ROOT / "benchmarks" / "check_readme.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = README.read_text()
    for name, row in module.ROWS.items():
        page = (ROOT / row["page"]).read_text() if "page" in row else text
        assert row["readme"] in page, name
        assert row["readme_command"] in page, name
    assert module.RUN_PLACEHOLDER in module._block(text, "## Quickstart", "bash")
    assert module.RUN_PLACEHOLDER in module._block(text, "## Quickstart", "python")


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    if importlib.util.find_spec("mkdocs") is None:
        pytest.skip("mkdocs is not installed (pip install -e \".[test]\" installs it)")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
                           str(ROOT / "mkdocs.yml"), "--site-dir", str(tmp_path / "site")],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "site" / "results" / "index.html").exists()
