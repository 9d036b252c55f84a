"""sharedservices.report.tables on the committed data: totals agree with the published rows."""

from __future__ import annotations

import pandas as pd
import pytest
from sharedservices.inputs import data
from sharedservices.report import tables


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return {"spending": data.spending(), "finance": data.finance(), "councils": data.councils(),
            "england": data.england()}


def test_coverage_counts_every_authority(frames: dict[str, pd.DataFrame]) -> None:
    cov = tables.coverage(frames["spending"], frames["councils"])
    assert list(cov.index) == list(data.YEARS)
    classes = [c for c in data.CLASSES if c in cov.columns]
    assert (cov[classes].sum(axis=1) == cov["total"]).all()
    # only the grossed council in 2017-18 is not collected
    grossed = {y: len(f.get("grossed", {})) for f in data.sources()["files"] if (y := f.get("year"))}
    assert cov["not_collected"].to_dict() == grossed


def test_england_check_is_exact_where_nothing_is_grossed(frames: dict[str, pd.DataFrame]) -> None:
    chk = tables.england_check(frames["spending"], frames["england"])
    grossed_years = {f["year"] for f in data.sources()["files"] if f.get("grossed")}
    clean = chk[~chk["year"].isin(grossed_years)]
    assert len(clean) > 0 and (clean["difference_gbp_m"] == 0).all()
    gross = chk[chk["year"].isin(grossed_years) & (chk["service"] == "net_current_expenditure")]
    assert (gross["difference_gbp_m"] > 0).all()


def test_service_mix_rows_sum_to_100(frames: dict[str, pd.DataFrame]) -> None:
    for year in ("2010-11", "2014-15"):
        mix = tables.service_mix(frames["spending"], frames["councils"], year)
        assert set(mix.index) == set(data.PRINCIPAL_CLASSES)
        assert (mix.sum(axis=1) - 100).abs().max() < 0.01, year  # TSE is rounded in the workbooks
    assert "social_care" in tables.service_mix(frames["spending"], frames["councils"], "2010-11").columns


def test_per_head_and_reserves_use_only_councils_with_data(frames: dict[str, pd.DataFrame]) -> None:
    ph = tables.per_head(frames["spending"], frames["councils"], "2014-15")
    with_pop = frames["councils"].query("principal and population_2011.notna()")
    assert set(ph["ecode"]) == set(with_pop["ecode"])
    row = ph[ph["ecode"] == "E0101"].iloc[0]
    assert row["gbp_per_head"] == pytest.approx(row["gbp_thousand"] * 1000 / row["population_2011"])
    res = tables.usable_reserves(frames["finance"], frames["councils"], "2017-18")
    assert "E0934" not in set(res["ecode"])  # Copeland not collected
    f = data.finance_wide("2017-18")
    r = res.set_index("ecode").loc["E0102"]
    assert r["reserves_usable_gbp_thousand"] == f.loc["E0102", "reserves_usable"]


def test_population_coverage_matches_councils(frames: dict[str, pd.DataFrame]) -> None:
    pc = tables.population_coverage(frames["councils"])
    principal = frames["councils"][frames["councils"]["principal"]]
    assert pc["councils"].sum() == len(principal)
    assert pc["with_population"].sum() == principal["population_2011"].notna().sum()


def test_overview_numbers_are_consistent(frames: dict[str, pd.DataFrame]) -> None:
    n = tables.overview_numbers(frames["spending"], frames["finance"], frames["councils"],
                                frames["england"], "2014-15")
    e = frames["england"].set_index(["year", "line"])["gbp_thousand"]
    assert n["nce_base_gbp_bn"] == e[("2010-11", "net_current_expenditure")] / 1e6
    assert n["exact_years"] == n["years"] - 1
    assert n["authorities_min"] <= n["authorities_max"]
