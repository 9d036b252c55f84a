"""notebooks/20-savings-potential.ipynb: committed clean, runs, and quotes the library's numbers."""

from __future__ import annotations

import math

import nbformat
import pytest
from sharedservices.inputs import assumptions, paths
from sharedservices.model import national
from sharedservices.report import findings, params, tables
from sharedservices.report import format as fmt
from sharedservices.report.findings import nb20_savings_potential as f20

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


def _tables(run: dict) -> tuple:
    councils, pot = national.savings_potential_all(run["year"], run["savings_multiplier"])
    target = assumptions.value("savings_evidence.ambitious_target")
    return (tables.savings_by_class(pot, councils, "tse"),
            tables.reach_by_class(pot, councils, target, "core_spending"))


def test_key_findings_and_headlines_are_the_model_s(executed, h) -> None:
    by_class, reach_core = _tables(RUN)
    lines = notebooks.key_findings_lines(executed)
    assert lines == [" ".join(x.split()) for x in f20.finding_lines(h, by_class, reach_core, f20.cited_shares(), **RUN)]
    # the numbers in the prose are the model's, written by the formatting module
    text = " ".join(lines)
    expected = [
        f"{fmt.pct_value(h['back_office_median_pct_of_tse'])} of total service expenditure a year",
        "1.5 times the cited rates",
        f"NLGN put the back office's saving at {fmt.pct_value(h['nlgn_realistic_pct'])} of total service "
        f"expenditure (realistic) and {fmt.pct_value(h['nlgn_best_case_pct'])} of total service expenditure "
        "(best case)",
        f"({fmt.pct_value(h['back_office_reach_10_tse_pct'])} of principal councils) would reach it with the back "
        "office alone",
        f"({fmt.pct_value(h['broad_reach_10_tse_pct'])} of principal councils) adding adult and children's social care",
        f"({fmt.pct_value(h['public_realm_reach_10_tse_pct'])} of principal councils) with the wider public realm.",
        f"Of England's {h['councils']} principal councils",
        f"({fmt.pct_value(h['broad_reach_10_core_pct'])} of principal councils) get there with the broad programme",
        fmt.gbp_m(h["back_office_england_gbp_m"]), fmt.gbp_m(h["broad_england_gbp_m"]),
        f"{fmt.number(h['broad_rates_multiple_for_median_to_reach_10_tse'], 1)} times as high",
    ]
    notebooks.assert_quotes(text, expected)
    # one percentage basis per sentence: a share of councils and a share of spending never meet
    for sentence in text.split(". "):
        assert not ("% of principal councils" in sentence and "% of core spending" in sentence), sentence
    recorded = notebooks.headlines(executed)
    assert len(recorded) >= 5
    for name, value in recorded.items():
        assert math.isclose(value, h[name], rel_tol=1e-9), (name, value, h[name])


def test_key_findings_say_none_and_all_in_words() -> None:
    run = {"year": "2010-11", "savings_multiplier": 1.0}
    h = findings.headlines(STEM, run)
    by_class, reach_core = _tables(run)
    text = " ".join(f20.finding_lines(h, by_class, reach_core, f20.cited_shares(), **run))
    assert h["back_office_reach_10_tse_pct"] == 0 and "none would reach it with the back office alone" in text
    assert "(0%" not in text and "savings rates as cited" in text
    every = reach_core.copy()
    every.loc["SC", "public_realm"] = 100.0
    counties = int(by_class.loc[("public_realm", "SC"), "councils"])
    assert f"All {counties} shire counties get there" in " ".join(f20.finding_lines(h, by_class, every, f20.cited_shares()))


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
