"""notebooks/60-case-studies.ipynb: committed clean, runs, quotes the comparison's numbers.

The key findings and headlines are checked against :func:`sharedservices.model.case_studies.compare`
and the cited claims, computed here; the notebook runs once with the default parameters
(the national report has no size knob: nine cases, a second or so of model runs).
"""

from __future__ import annotations

import nbformat
import numpy as np
import pytest
from sharedservices.inputs import assumptions, paths
from sharedservices.model import case_studies
from sharedservices.report import params
from sharedservices.report.findings import nb60_case_studies as nb60

import notebooks

pytestmark = pytest.mark.xdist_group("nb60-case-studies")

STEM = "60-case-studies"
NOTEBOOK = paths.NOTEBOOKS_DIR / f"{STEM}.ipynb"
FIGURES = {"claims-vs-model", "calibration"}
TABLES = {"claims-vs-model-table", "accuracy-by-kind", "cases-model", "assumptions"}


def test_committed_without_outputs() -> None:
    notebooks.assert_committed(NOTEBOOK, STEM)
    assert [p.name for p in params.parameters_cell(NOTEBOOK)] == ["programme_override"]


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    return notebooks.execute(NOTEBOOK, {"programme_override": None}, tmp_path_factory.mktemp("nb60"))


def test_outputs_present(executed: nbformat.NotebookNode) -> None:
    notebooks.assert_tagged_outputs(executed, FIGURES, TABLES)
    table = next(t for t in notebooks.tagged(executed, "table") if t["name"] == "claims-vs-model-table")
    assert table["csv"].count("\n") == 1 + sum(len(c.claims) for c in case_studies.CASES)


def test_key_findings_and_headlines_quote_the_comparison(executed: nbformat.NotebookNode) -> None:
    t = case_studies.compare()
    oos = t[~t["in_sample"]]
    ratio = oos["ratio"]
    above = int((oos["reported_gbp_m"] > oos["model_gbp_m"]).sum())
    sw1 = t[t["case"] == "south_west_one"].set_index("claim")
    realised = sw1.loc["saving_to_dec_2012_gbp_m"]
    promised = assumptions.value("case_studies.south_west_one.promised_saving_gbp_m")
    outturn = oos.loc[~oos["plan"], "ratio"]
    finite = outturn[np.isfinite(outturn)]
    worst = oos.loc[finite.idxmax()]

    text = notebooks.key_findings_text(executed)
    expected = [
        f"Of {len(t)} reported figures from {t['case'].nunique()} shared-service partnerships, "
        f"{int(t['in_sample'].sum())} come from cases",
        f"Of the other {len(oos)}, {above} claim more",
        f"the median claim is {float(np.median(ratio)):.1f} times",
        f"Only {int(oos['within_spread'].sum())} of {len(oos)} out-of-sample claims",
        f"£{realised['reported_gbp_m']:.1f}m saved in its first five years",
        f"{100 * realised['reported_gbp_m'] / promised:.1f}% of the £{promised:.1f}m promised",
        f"predicts £{realised['model_gbp_m']:.1f}m over five years",
        f"£{sw1.loc['promised_saving_gbp_m', 'model_gbp_m']:.1f}m over ten",
        f"{worst['case_name']} ({worst['ratio']:.1f} times",
        nb60.cited_words("programmes.service.central.savings_rate"),
    ]
    notebooks.assert_quotes(text, expected)

    recorded = notebooks.headlines(executed)
    assert recorded["claims_compared"] == len(t)
    assert recorded["claims_above_model"] == above
    assert recorded["median_claim_over_model"] == pytest.approx(float(np.median(ratio)), rel=1e-9)
    assert recorded["claims_out_of_sample"] == len(oos)
    assert recorded["sw1_model_5y_gbp_m"] == pytest.approx(realised["model_gbp_m"], rel=1e-9)
    deflator = assumptions.value("prices.gdp_deflator")
    first, last = min(c.started for c in case_studies.CASES), "2017-18"
    assert recorded["gdp_deflator_range_pct"] == pytest.approx(100 * (deflator[last] / deflator[first] - 1), rel=1e-6)
