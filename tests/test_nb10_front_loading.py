"""notebooks/10-front-loading.ipynb: committed clean, runs, and quotes the library's numbers."""

from __future__ import annotations

import math

import nbformat
import pytest
from sharedservices.inputs import data, paths
from sharedservices.model import cited, national
from sharedservices.report import findings, params, tables
from sharedservices.report import format as fmt
from sharedservices.report.findings import nb10_front_loading as f10
from sharedservices.report.names import CORE_SPENDING

import notebooks

pytestmark = pytest.mark.xdist_group("nb10-front-loading")

STEM = "10-front-loading"
NOTEBOOK = paths.NOTEBOOKS_DIR / f"{STEM}.ipynb"
RUN = {"council_class": "L", "deflate": True}  # 33 London boroughs, two of them weak comparisons
FIGURES = {"sr2010-vs-even", "central-funding-by-class", "front-loading-by-class", "service-change-by-class",
           "core-spending-by-class"}
TABLES = {"sr2010-vs-even-table", "central-funding-by-class-table", "front-loading-by-class-table",
          "front-loading-by-region-table", "councils-no-net-cut", "funding-breaks-by-class",
          "service-change-2014-15", "service-change-2017-18", "assumptions", "red-assumptions", "plans-against-outturn",
          "central-funding-components", "reconciliation", "estimates-sensitivity", "funding-check"}


def test_committed_without_outputs_and_with_the_parameters_cell() -> None:
    notebooks.assert_committed(NOTEBOOK, STEM)


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    return notebooks.execute(NOTEBOOK, RUN, tmp_path_factory.mktemp("nb10"))


@pytest.fixture(scope="module")
def h() -> dict:
    return findings.headlines(STEM, params.validate(STEM, RUN))


def test_outputs_present(executed) -> None:
    notebooks.assert_tagged_outputs(executed, FIGURES, TABLES)


def test_key_findings_and_headlines_are_the_model_s(executed, h) -> None:
    d = cited.defaults()
    outturn = tables.plans_against_outturn(d.sr2010_ratio, national.england_real_path(), d.sr2010_period_years,
                                           cited.sr2010_lg_del_ratio())
    lines = notebooks.key_findings_lines(executed)
    assert lines == [" ".join(x.split()) for x in f10.finding_lines(h, national.reconciliation(), outturn, **RUN)]
    # the numbers in the prose are the model's, written by the formatting module
    text = " ".join(lines)
    rec = national.reconciliation().set_index("key")
    nao, nao18 = rec.loc["national_estimates.nao_2014_to_2014_15"], rec.loc["national_estimates.nao_2018_to_2017_18"]
    expected = [
        f"lost {fmt.pct_value(-h['england_real_change_2014_15_pct'])} of their 2010-11 central funding",
        f"By 2017-18 they had lost {fmt.pct_value(-h['england_real_change_2017_18_pct'])} of their 2010-11 "
        "central funding",
        f"NAO estimated falls of {fmt.pct_value(-nao['published_pct'], 0)} of 2010-11 funding by 2014-15",
        f"falls of {fmt.pct_value(-nao['suite_with_new_duties_pct'])} of 2010-11 funding by 2014-15 and "
        f"{fmt.pct_value(-nao18['suite_with_new_duties_pct'])} of 2010-11 funding by 2017-18",
        f"{fmt.pct_value(h['sr2010_real_cut_pct'])} in real terms",
        f"index is {fmt.number(h['sr2010_front_loading_index'], 2)}",
        f"{fmt.number(h['sr2010_lg_del_front_loading_index'], 2)} for the whole local government budget",
        f"its index is {fmt.number(h['england_front_loading_index'], 2)}",
        f"between {fmt.number(h['england_front_loading_index_low'], 2)} and "
        f"{fmt.number(h['england_front_loading_index_high'], 2)}",
        f"plans' cash cut of {fmt.pct_value(h['rolled_in_calibration_cut_pct'])} of the adjusted base",
        f"Of the {h['councils_with_net_cut']} London boroughs with a like-for-like comparison",
        f"median index is {fmt.number(h['median_front_loading_index'], 2)}",
        f"{h['councils_weak_comparison']} councils are left out",
        f"lost {fmt.pct_value(h['median_real_cut_pct'])}", fmt.gbp_m(abs(h["retention_step_gbp_m"])),
        f"by {fmt.pct_value(abs(h['largest_fall_pct']))}",
        f"Core spending ({CORE_SPENDING}) "
        f"{fmt.change(h['core_spending_change_pct'])}",
    ]
    notebooks.assert_quotes(text, expected)
    assert "London boroughs" in text and "-" + "0" not in text
    recorded = notebooks.headlines(executed)
    assert len(recorded) >= 5
    for name, value in recorded.items():
        assert math.isclose(value, h[name], rel_tol=1e-9), (name, value, h[name])


def test_key_findings_read_right_for_any_count_and_sign(h) -> None:
    """No "0 (0.0%) were", no "lost −3%": counts of none and rises are said in words."""
    d = cited.defaults()
    outturn = tables.plans_against_outturn(d.sr2010_ratio, national.england_real_path(), d.sr2010_period_years)
    turned = {**h, "more_front_loaded_than_sr2010": 0, "more_front_loaded_than_sr2010_pct": 0.0,
              "councils_no_net_cut": 4, "councils_no_net_cut_weak": 0, "england_real_change_2017_18_pct": 2.04,
              "retention_step_pct_of_2010_11": 1.2, "core_spending_change_pct": 0.01, "education_change_pct": None}
    text = " ".join(f10.finding_lines(turned, national.reconciliation(), outturn, **RUN))
    assert "and none were more front-loaded than the plans" in text and "(0.0%" not in text
    assert "none of them had no net cut" in text and "4 of the rest had none" in text
    assert "By 2017-18 they had gained 2.0% of their 2010-11 central funding" in text
    assert "instead of rising" not in text
    assert "rose by 1.2% of 2010-11 funding" in text and "did not change over the same years" in text
    assert "Education spending" not in text
    assert f10.front_loading_title({**h, "more_front_loaded_than_sr2010_pct": None}, "L").startswith("None of the")


def test_tables_agree_with_the_model(executed, h) -> None:
    flt = national.front_loading_table(data.select_councils("L"))
    comparable = flt[~flt["weak_comparison"]]
    weak = set(national.weak_comparisons()["ecode"])
    assert set(flt.loc[flt["weak_comparison"], "ecode"]) == weak & set(flt["ecode"])
    assert h["councils_weak_comparison"] == len(weak & set(flt["ecode"])) == 2  # Croydon and Sutton
    no_cut = notebooks.tagged_table(executed, "councils-no-net-cut")
    assert set(no_cut["ecode"]) == set(comparable.loc[comparable["front_loading_index"].isna(), "ecode"])
    by_class = notebooks.tagged_table(executed, "front-loading-by-class-table").set_index("class")
    assert list(by_class.index) == ["L", "All"]
    assert by_class.loc["L", "weak_comparison"] == 2
    assert by_class.loc["L", "with_net_cut"] + by_class.loc["L", "no_net_cut"] == len(comparable)
    assert math.isclose(by_class.loc["L", "index_median"], comparable["front_loading_index"].median(), rel_tol=1e-9)
    rec = notebooks.tagged_table(executed, "reconciliation")
    assert len(rec) == len(national.reconciliation()) and rec["differences in definition"].str.len().min() > 40
    components = notebooks.tagged_table(executed, "central-funding-components").set_index("component")
    total = components.loc["Like-for-like central funding"]
    assert math.isclose(total["2010-11"], components.drop(index="Like-for-like central funding")["2010-11"].sum(),
                        rel_tol=1e-9)
    sr = notebooks.tagged_table(executed, "sr2010-vs-even-table")
    assert math.isclose(sr["sr2010_index"].iloc[-1], sr["even_index"].iloc[-1])  # same total cut
    assert sr["sr2010_gap_pct_of_2010_11"].iloc[1] > sr["even_gap_pct_of_2010_11"].iloc[1]  # front-loaded
