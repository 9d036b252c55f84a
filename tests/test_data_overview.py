"""notebooks/00-data-overview.ipynb: committed clean, runs, and quotes the library's numbers."""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest
from sharedservices.inputs import data, paths
from sharedservices.report import findings, tables
from sharedservices.report import format as fmt
from sharedservices.report.findings import nb00_data_overview as f00

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
    h = findings.headlines("00-data-overview", {"latest_year": year})
    lines = notebooks.key_findings_lines(executed)
    assert lines == [" ".join(x.split()) for x in f00.finding_lines(h, data.reserves_as_at(year))]
    # the numbers in the prose are the library's, written by the formatting module
    n = tables.overview_numbers(data.spending(), data.finance(), data.councils(), data.england(), year)
    expected = [
        fmt.gbp_bn(n["nce_base_gbp_bn"] * 1e6), fmt.gbp_bn(n["nce_sr_end_gbp_bn"] * 1e6),
        f"{fmt.pct_value(abs(n['nce_change_pct']))} less than in 2010-11",
        f"Education spending fell {fmt.pct_value(abs(n['education_change_pct']))}",
        f"rose {fmt.pct_value(n['social_care_change_pct'])}", fmt.pct_value(n["largest_share_pct"]),
        f"{n['exact_years']} of {n['years']} years", fmt.gbp_m(n["shortfall_gbp_m"]),
        fmt.gbp_bn(n["reserves_total_gbp_bn"] * 1e6), fmt.pct_value(n["reserves_median_pct"]),
        f"{n['with_population']} of {n['principal_councils']} principal councils",
        f"of usable reserves at {data.reserves_as_at(year).rsplit(' at ', 1)[1]}",
    ]
    notebooks.assert_quotes(" ".join(lines), expected)


def test_key_findings_read_right_for_any_sign() -> None:
    """A rise is said as a rise, a change that rounds to zero as none, and every number has the
    minus sign of the formatting module, never a hyphen or a negative zero."""
    h = findings.headlines("00-data-overview", {"latest_year": "2014-15"})
    turned = {**h, "nce_change_pct": 3.25, "education_change_pct": -0.04, "social_care_change_pct": -7.2,
              "exact_years": h["years"]}
    text = " ".join(f00.finding_lines(turned, "Reserves at 31 March 2018"))
    assert "3.2% more than in 2010-11" in text and "rose from" in text
    assert "Education spending did not change" in text and "Social care (children's plus adult) fell 7.2%" in text
    assert f"in every one of the {h['years']} years" in text and "short" not in text
    assert "at 31 March 2018" in text
    assert not re.search(r"(?<![\w-])-\d", text) and "\u22120.0" not in text
