"""notebooks/00-data-overview.ipynb: committed clean, runs, and quotes the library's numbers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from sharedservices import data, paths, style, tables

NOTEBOOK = paths.NOTEBOOKS_DIR / "00-data-overview.ipynb"
FIGURES = {"england-spending-by-service", "service-mix-by-class", "spending-per-head", "usable-reserves"}
TABLES = {"coverage-by-year-class", "england-totals-check", "service-mix-by-class-table",
          "population-coverage", "source-files"}


def test_committed_without_outputs_and_with_the_parameters_cell() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert code[0].metadata.get("tags") == ["parameters"]
    assert code[0].source == (
        'latest_year: str = "2014-15"  # financial year for the distributions '
        "(choices: 2010-11, 2011-12, 2012-13, 2013-14, 2014-15, 2017-18)"
    )


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    import papermill as pm

    out = tmp_path_factory.mktemp("nb") / "out.ipynb"
    env_dir = os.environ.get("SHAREDSERVICES_PROCESSED_DIR")
    assert env_dir is None or Path(env_dir) == paths.processed_dir()
    pm.execute_notebook(str(NOTEBOOK), str(out), kernel_name="sharedservices",
                        cwd=str(paths.NOTEBOOKS_DIR), progress_bar=False)
    return nbformat.read(out, as_version=4)


def _tagged(nb: nbformat.NotebookNode) -> list[dict]:
    return [o["metadata"]["sharedservices"] for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if "sharedservices" in o.get("metadata", {})]


def test_outputs_present(executed: nbformat.NotebookNode) -> None:
    tags = _tagged(executed)
    assert {t["name"] for t in tags if t["kind"] == "figure"} == FIGURES
    assert {t["name"] for t in tags if t["kind"] == "table"} == TABLES
    assert tags[0]["kind"] == "key_findings"


def test_key_findings_quote_the_library(executed: nbformat.NotebookNode) -> None:
    year = "2014-15"
    n = tables.overview_numbers(data.spending(), data.finance(), data.councils(), data.england(), year)
    text = " ".join(next(t for t in _tagged(executed) if t["kind"] == "key_findings")["lines"])
    expected = [
        style.gbp_bn(n["nce_base_gbp_bn"] * 1e6), style.gbp_bn(n["nce_sr_end_gbp_bn"] * 1e6),
        f"{abs(n['nce_change_pct']):.1f}%", f"{abs(n['education_change_pct']):.1f}%",
        f"{n['social_care_change_pct']:.1f}%", f"{n['largest_share_pct']:.1f}%",
        f"{n['exact_years']} of {n['years']} years", f"£{n['shortfall_gbp_m']:.1f}m",
        style.gbp_bn(n["reserves_total_gbp_bn"] * 1e6), f"{n['reserves_median_pct']:.0f}%",
        f"{n['with_population']} of {n['principal_councils']} principal councils",
        data.reserves_as_at(year),
    ]
    missing = [e for e in expected if e not in text]
    assert not missing, f"key findings do not quote {missing}: {json.dumps(text)}"
