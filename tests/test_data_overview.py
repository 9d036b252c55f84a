"""notebooks/00-data-overview.ipynb: committed clean, runs, and quotes the library's numbers."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from sharedservices.inputs import data, paths
from sharedservices.report import format as fmt
from sharedservices.report import tables

import notebooks

NOTEBOOK = paths.NOTEBOOKS_DIR / "00-data-overview.ipynb"
FIGURES = {"england-spending-by-service", "service-mix-by-class", "spending-per-head", "usable-reserves"}
TABLES = {"coverage-by-year-class", "england-totals-check", "service-mix-by-class-table",
          "population-coverage", "source-files"}


def test_committed_without_outputs_and_with_the_parameters_cell() -> None:
    nb = notebooks.assert_committed(NOTEBOOK)
    assert notebooks.code_cells(nb)[0].source == (
        'latest_year: str = "2014-15"  # financial year for the distributions '
        "(choices: 2010-11, 2011-12, 2012-13, 2013-14, 2014-15, 2017-18)"
    )


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    env_dir = os.environ.get("SHAREDSERVICES_PROCESSED_DIR")
    assert env_dir is None or Path(env_dir) == paths.processed_dir()
    return notebooks.execute(NOTEBOOK, None, tmp_path_factory.mktemp("nb"))


def test_outputs_present(executed: nbformat.NotebookNode) -> None:
    notebooks.assert_tagged_outputs(executed, FIGURES, TABLES)


def test_key_findings_quote_the_library(executed: nbformat.NotebookNode) -> None:
    year = "2014-15"
    n = tables.overview_numbers(data.spending(), data.finance(), data.councils(), data.england(), year)
    text = notebooks.key_findings_text(executed)
    expected = [
        fmt.gbp_bn(n["nce_base_gbp_bn"] * 1e6), fmt.gbp_bn(n["nce_sr_end_gbp_bn"] * 1e6),
        f"{abs(n['nce_change_pct']):.1f}%", f"{abs(n['education_change_pct']):.1f}%",
        f"{n['social_care_change_pct']:.1f}%", f"{n['largest_share_pct']:.1f}%",
        f"{n['exact_years']} of {n['years']} years", f"£{n['shortfall_gbp_m']:.1f}m",
        fmt.gbp_bn(n["reserves_total_gbp_bn"] * 1e6), f"{n['reserves_median_pct']:.0f}%",
        f"{n['with_population']} of {n['principal_councils']} principal councils",
        data.reserves_as_at(year),
    ]
    notebooks.assert_quotes(text, expected)
