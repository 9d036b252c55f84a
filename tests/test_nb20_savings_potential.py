"""notebooks/20-savings-potential.ipynb: committed clean, runs, and quotes the library's numbers."""

from __future__ import annotations

import math

import nbformat
import pytest
from sharedservices.inputs import paths
from sharedservices.report import findings, params

import notebooks

pytestmark = pytest.mark.xdist_group("nb20-savings-potential")

STEM = "20-savings-potential"
NOTEBOOK = paths.NOTEBOOKS_DIR / f"{STEM}.ipynb"
RUN = {"year": "2010-11", "savings_multiplier": 1.5}
FIGURES = {"savings-by-class", "reach-curves", "reach-10-percent-core"}
TABLES = {"savings-by-class-tse", "savings-by-class-core", "net-savings-by-class-tse", "reach-10-percent-tse-table",
          "reach-10-percent-core-table", "savings-totals", "council-savings", "savings-evidence", "assumptions",
          "red-assumptions"}


def test_committed_without_outputs_and_with_the_parameters_cell() -> None:
    notebooks.assert_committed(NOTEBOOK, STEM)


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    return notebooks.execute(NOTEBOOK, RUN, tmp_path_factory.mktemp("nb20"))


@pytest.fixture(scope="module")
def h() -> dict:
    return findings.headlines(STEM, params.validate(STEM, RUN))


def test_outputs_present(executed) -> None:
    notebooks.assert_tagged_outputs(executed, FIGURES, TABLES)


def test_key_findings_and_headlines_are_the_model_s(executed, h) -> None:
    text = notebooks.key_findings_text(executed)
    expected = [
        f"{h['back_office_median_pct_of_tse']:.1f}%", "1.5 times the cited rates",
        f"NLGN's {h['nlgn_realistic_pct']:.1f}% realistic and {h['nlgn_best_case_pct']:.1f}% best case",
        f"{h['back_office_reach_10_tse_pct']:.0f}% of councils reach it with the back office alone",
        f"{h['broad_reach_10_tse_pct']:.0f}% adding adult and children's social care",
        f"{h['public_realm_reach_10_tse_pct']:.0f}% with the wider public realm (% of {h['councils']}",
        f"{h['broad_reach_10_core_pct']:.0f}% of councils with the broad programme",
        f"£{h['back_office_england_gbp_m']:,.0f}m", f"£{h['broad_england_gbp_m']:,.0f}m",
        f"{h['broad_rates_multiple_for_median_to_reach_10_tse']:.1f} times as high",
    ]
    notebooks.assert_quotes(text, expected)
    recorded = notebooks.headlines(executed)
    assert len(recorded) >= 5
    for name, value in recorded.items():
        assert math.isclose(value, h[name], rel_tol=1e-9), (name, value, h[name])


def test_tables_agree_with_the_headlines(executed, h) -> None:
    reach = notebooks.tagged_table(executed, "reach-10-percent-tse-table").set_index("class")
    assert math.isclose(reach.loc["All", "broad"], h["broad_reach_10_tse_pct"])
    per_council = notebooks.tagged_table(executed, "council-savings")
    assert len(per_council) == h["councils"]
    assert math.isclose(per_council["back_office"].median(), h["back_office_median_pct_of_tse"])
    evidence = notebooks.tagged_table(executed, "savings-evidence")
    assert set(evidence["evidence"]) <= {"published estimate", "peer-reviewed study", "claim"}
    assert (evidence.loc[evidence["key"] == "savings_evidence.cpbs_planned_saving_rate", "evidence"] == "claim").all()
    red = notebooks.tagged_table(executed, "red-assumptions")
    assert "programmes.service.central.addressable_share" in set(red["key"])
