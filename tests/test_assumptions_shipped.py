"""The shipped data/assumptions files: complete, cited, rated, and consistent with the
contract the model codes against (docs/architecture.md and issue 3)."""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import pytest
from sharedservices.inputs import assumptions, paths

SHIPPED = paths.DATA_DIR / "assumptions"
RESEARCH_CASES = Path("/work/shared/research/tables/shared_services_case_studies.csv")

YEARS = ["2010-11", "2011-12", "2012-13", "2013-14", "2014-15", "2015-16", "2016-17", "2017-18"]
SR_YEARS = YEARS[:5]
SHAREABLE = [
    "central",
    "environmental_regulatory",
    "adult_social_care",
    "childrens_social_care",
    "highways_transport",
    "cultural",
    "housing",
    "planning_development",
    "other",
    "police",
    "fire",
    "public_health",
]
SERVICE_FIELDS = [
    "addressable_share",
    "savings_rate",
    "one_off_cost_ratio",
    "lead_time_years",
    "ramp_years",
    "running_cost_ratio",
]
#: The keys other modules read (the contract); more may be added.  Issue 11
#: retired the borrowing-term and fixed gain-share keys (see CHANGELOG.md).
CONTRACT_KEYS = [
    "prices.gdp_deflator",
    "sr2010.formula_grant_cash_gbp_bn",
    "sr2010.lg_resource_del_cash_gbp_bn",
    "sr2010.real_terms_cut",
    "sr2010.period_years",
    "discounting.green_book_schedule",
    "optimism_bias.table",
    "optimism_bias.shared_services_category",
    "savings_evidence.back_office_realistic",
    "savings_evidence.back_office_best_case",
    "savings_evidence.ambitious_target",
    "savings_evidence.first_year_savings_needed_median",
    "savings_evidence.first_year_savings_needed_max",
    "savings_evidence.grant_cut_to_2014",
    "savings_evidence.cpbs_planned_saving_rate",
    "savings_evidence.imc_waste_cost_saving",
    "savings_evidence.tri_borough_target_share_of_budget",
    "savings_evidence.benefit_realisation_haircut",
    "programmes.partnership.annual_failure_probability",
    "programmes.back_office_overhead_share",
    "programmes.preset.back_office",
    "programmes.preset.back_office_waste",
    "programmes.preset.broad",
    "programmes.preset.public_realm",
    "programmes.spread.savings_rate",
    "programmes.spread.one_off_cost",
    "programmes.spread.delay_years",
    "programmes.spread.ramp_years",
    "financing.pwlb_rate_nominal",
    "financing.inflation_assumption",
    "financing.asset_life_years",
    "financing.capitalised_revenue_life_years",
    "financing.capitalisation_direction_limit_2011_12_gbp_m",
    "financing.flexible_capital_receipts_from",
    "financing.partner_hurdle_rate_nominal",
    "financing.partner_contract_years",
    "financing.invest_to_save_grant_share",
    "financing.reserves_minimum_share",
    "frontline.cut_persistence",
    "programmes.service.central.one_off_capital_share",
    "programmes.one_off_capital_share_other_services",
    "demand.adult_social_care_real_growth",
    "demand.childrens_social_care_real_growth",
] + [f"programmes.service.{s}.{f}" for s in SHAREABLE for f in SERVICE_FIELDS]


@pytest.fixture(scope="module")
def shipped() -> dict[str, assumptions.Assumption]:
    return assumptions.load_all(SHIPPED)


def v(key: str):
    return assumptions.value(key, SHIPPED)


def test_every_contract_key_is_present(shipped) -> None:
    missing = [k for k in CONTRACT_KEYS if k not in shipped]
    assert not missing


def test_every_value_has_unit_source_and_valid_rating(shipped) -> None:
    url = re.compile(r"^https?://[^\s/]+\.[^\s/]+\S*$")
    for key, a in shipped.items():
        assert a.unit.strip(), key
        assert a.quality in {"green", "amber", "red"}, key
        assert a.quality_note.strip() and "\n" not in a.quality_note, key
        if a.is_suite_assumption:
            assert a.quality == "red", key
            assert a.source_url is None, key
        else:
            assert a.source_title.strip(), key
            assert url.match(a.source_url or ""), key


def test_money_has_a_price_base(shipped) -> None:
    money = [a for a in shipped.values() if assumptions.is_money_unit(a.unit)]
    assert len(money) >= 10  # the case studies and the SR2010 profile are money
    for a in money:
        assert a.price_base and a.price_base.strip(), a.key


def test_no_unverified_figure_is_shipped(shipped) -> None:
    text = " ".join(f.read_text(encoding="utf-8") for f in SHIPPED.glob("*.yaml"))
    assert "UNVERIFIED" not in text.upper().replace("NOT VERIFIED", "")


def test_deflator_covers_every_year_with_base_100() -> None:
    d = v("prices.gdp_deflator")
    assert set(YEARS) <= set(d), "every year the model deflates has an index"
    assert list(d) == sorted(d)
    assert d["2010-11"] == 100
    vals = [float(d[y]) for y in YEARS]
    assert all(b > a for a, b in zip(vals, vals[1:], strict=False)), "the deflator rose every year"
    growth = [b / a - 1 for a, b in zip(vals, vals[1:], strict=False)]
    assert all(0.0 < g < 0.05 for g in growth)


def test_sr2010_profile() -> None:
    fg = v("sr2010.formula_grant_cash_gbp_bn")
    dl = v("sr2010.lg_resource_del_cash_gbp_bn")
    assert list(fg) == SR_YEARS and list(dl) == SR_YEARS
    for y in SR_YEARS:
        assert 0 < fg[y] <= dl[y]
    assert fg["2014-15"] < fg["2010-11"]
    assert v("sr2010.period_years") == len(SR_YEARS) - 1
    assert 0.2 < v("sr2010.real_terms_cut") < 0.3
    # the real cut implied by the cash profile and the deflator is near the headline 26 %
    defl = v("prices.gdp_deflator")
    real_end = fg["2014-15"] * 100 / defl["2014-15"]
    implied = 1 - real_end / fg["2010-11"]
    assert abs(implied - v("sr2010.real_terms_cut")) < 0.05


def test_green_book_schedule_contiguous_and_ordered() -> None:
    sched = v("discounting.green_book_schedule")
    assert sched[0]["from_year"] == 0
    for a, b in zip(sched, sched[1:], strict=False):
        assert a["to_year"] is not None and b["from_year"] == a["to_year"] + 1
        assert b["rate"] < a["rate"]
    assert sched[-1]["to_year"] is None
    assert all(set(s) == {"from_year", "to_year", "rate"} for s in sched)
    assert all(0 < s["rate"] < 0.1 for s in sched)
    assert sched[0]["rate"] == v("discounting.standard_rate")


def test_optimism_bias_fractions_sensible() -> None:
    table = v("optimism_bias.table")
    assert len(table) >= 6
    for cat, row in table.items():
        assert set(row) == {
            "works_duration_upper",
            "works_duration_lower",
            "capex_upper",
            "capex_lower",
            "opex_upper",
            "opex_lower",
        }, cat
        given = 0
        for kind in ("works_duration", "capex", "opex"):
            up, lo = row[f"{kind}_upper"], row[f"{kind}_lower"]
            assert (up is None) == (lo is None), (cat, kind)
            if up is not None:
                given += 1
                assert 0 <= lo <= up <= 3, (cat, kind)  # fractions, not percentages
        assert given, cat
    assert v("optimism_bias.shared_services_category") in table
    assert v("optimism_bias.shared_services_opex_category") in table
    assert table[v("optimism_bias.shared_services_opex_category")]["opex_upper"] is not None


def test_presets_name_only_known_service_slugs() -> None:
    presets = {k: a.value for k, a in assumptions.load_all(SHIPPED).items() if ".preset." in k}
    assert set(presets) >= {
        f"programmes.preset.{n}"
        for n in ("back_office", "back_office_waste", "broad", "public_realm")
    }
    for key, slugs in presets.items():
        assert slugs and len(set(slugs)) == len(slugs), key
        assert set(slugs) <= set(SHAREABLE), key
    bo, bw, br, pr = (
        set(presets[f"programmes.preset.{n}"])
        for n in ("back_office", "back_office_waste", "broad", "public_realm")
    )
    assert bo < bw < br < pr  # each scope widens the last
    assert {"adult_social_care", "childrens_social_care"} <= br - bw


def test_programme_parameters_in_range() -> None:
    overhead = v("programmes.back_office_overhead_share")
    assert 0 < overhead < 0.5
    for s in SHAREABLE:
        p = {f: v(f"programmes.service.{s}.{f}") for f in SERVICE_FIELDS}
        assert 0 < p["addressable_share"] <= 1, s
        if s != "central":
            assert p["addressable_share"] + overhead <= 1, s
        assert 0 < p["savings_rate"] < 0.5, s
        assert 0 <= p["one_off_cost_ratio"] <= 5, s
        assert 0 <= p["running_cost_ratio"] < 1, s
        for f in ("lead_time_years", "ramp_years"):
            assert isinstance(p[f], int) and 0 <= p[f] <= 10, (s, f)
    assert 0 <= v("programmes.partnership.annual_failure_probability") < 0.5
    for k in ("savings_rate", "one_off_cost", "delay_years", "ramp_years"):
        assert v(f"programmes.spread.{k}") >= 0


def test_units_the_model_converts_on() -> None:
    # programmes.py turns ratios stated per £ of saving into ratios per £ of spend by
    # reading the unit: keep the word "saving" (and not "spend") in these units.
    for s in SHAREABLE:
        for f in ("one_off_cost_ratio", "running_cost_ratio"):
            unit = assumptions.get(f"programmes.service.{s}.{f}", SHIPPED).unit.lower()
            assert "saving" in unit and "spend" not in unit, (s, f)


# A typical single-tier council: unitary authorities' 2011-12 net current expenditure by
# service as shares of total service expenditure (RS outturn; research/evidence.md 1c).
# Residual lines (housing, planning, other: 5.4 %) are put in `other`.
UNITARY_MIX = {
    "education": 0.498,
    "adult_social_care": 0.189,
    "childrens_social_care": 0.083,
    "environmental_regulatory": 0.065,
    "highways_transport": 0.042,
    "cultural": 0.039,
    "central": 0.030,
    "other": 0.054,
}


def _steady_state(preset: str) -> tuple[float, float]:
    """(gross, net) steady-state saving of a preset as a share of TSE, per the calibration
    note: shared services' addressable spend, plus - when central is shared - the
    back-office overhead in every other service at central's rates."""
    slugs = v(f"programmes.preset.{preset}")
    mix = UNITARY_MIX
    gross = net = 0.0
    for s in slugs:
        if s not in mix:
            continue
        g = (
            mix[s]
            * v(f"programmes.service.{s}.addressable_share")
            * v(f"programmes.service.{s}.savings_rate")
        )
        gross += g
        net += g * (1 - v(f"programmes.service.{s}.running_cost_ratio"))
    if "central" in slugs:
        other = sum(x for k, x in mix.items() if k != "central")
        g = (
            other
            * v("programmes.back_office_overhead_share")
            * v("programmes.service.central.savings_rate")
        )
        gross += g
        net += g * (1 - v("programmes.service.central.running_cost_ratio"))
    return gross, net


def test_back_office_preset_lands_near_nlgn_realistic() -> None:
    # NLGN's 1.8 % is 20 % of its 8.9 % back office: a gross saving, before running costs
    gross, net = _steady_state("back_office")
    assert math.isclose(gross, v("savings_evidence.back_office_realistic"), abs_tol=0.001)
    assert net < gross < v("savings_evidence.back_office_best_case")
    other = sum(x for k, x in UNITARY_MIX.items() if k != "central")
    back_office = UNITARY_MIX["central"] * v(
        "programmes.service.central.addressable_share"
    ) + other * v("programmes.back_office_overhead_share")
    assert math.isclose(
        back_office, v("savings_evidence.back_office_share_of_expenditure"), abs_tol=0.002
    )


def test_broad_preset_approaches_ten_percent_only_with_social_care_and_waste() -> None:
    core = 1 - UNITARY_MIX["education"]
    target = v("savings_evidence.ambitious_target")
    _, net_bw = _steady_state("back_office_waste")
    gross_broad, net_broad = _steady_state("broad")
    assert net_bw / core < 0.5 * target  # back office and waste alone fall well short
    assert 0.7 * target < gross_broad / core <= target  # approaches ~10 % of core spending
    assert gross_broad < target  # ... but not of total service expenditure


def test_case_studies_are_claims_with_urls(shipped) -> None:
    cases = {k: a for k, a in shipped.items() if k.startswith("case_studies.")}
    assert len(cases) >= 25
    for key, a in cases.items():
        assert a.quality in {"amber", "red"}, key  # claims, never green
        assert a.source_url, key


#: Research-table figures read on a host that is not a primary source
#: (non_primary_hosts.yaml) whose shipped value now cites a better page (issue 12, point 6):
#: research URL -> the key.  Where the better page gives a different figure, the key's note
#: records the research figure ("The suite shipped £...m").
RESOURCED_RESEARCH_ROWS = {
    "https://wikimili.com/en/Tri-borough_shared_services":
        "case_studies.tri_borough.projected_annual_saving_gbp_m",
    "http://bostoneyelincolnshire.blogspot.com/2010/07/compass-points-in-right-direction-for.html":
        "case_studies.cpbs.business_case_saving_gbp_m",
    "http://maadvisor.ning.com/profiles/blogs/uttlesford-and-harlow-district":
        "case_studies.harlow_uttlesford.revenues_benefits_saving_gbp_m",
    "https://unitesomersetcounty.wordpress.com/2015/04/30/somerset-councils-seek-exit-from-shared-service-saga/":
        "case_studies.south_west_one.taunton_deane_realised_gbp_m",
}


@pytest.mark.skipif(not RESEARCH_CASES.exists(), reason="research tables not mounted")
def test_every_research_case_figure_is_shipped(shipped) -> None:
    cases = [a for k, a in shipped.items() if k.startswith("case_studies.")]
    have = {(a.source_url, float(a.value)) for a in cases if isinstance(a.value, int | float)}
    with RESEARCH_CASES.open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["value"].strip()]
    assert len(rows) >= 25
    hosts = assumptions.value(assumptions.NON_PRIMARY_HOSTS, SHIPPED)

    def figure(r: dict[str, str]) -> float:  # the research table writes rates in per cent
        return float(r["value"]) / (100 if r["unit"].strip().startswith("%") else 1)

    def resourced(r: dict[str, str]) -> bool:
        key = RESOURCED_RESEARCH_ROWS.get(r["source_url"])
        if key is None:
            return False
        a = shipped[key]
        assert assumptions.listed_host(r["source_url"], hosts), r["source_url"]
        assert a.source_url != r["source_url"], key
        if float(a.value) != figure(r):
            assert f"The suite shipped £{figure(r):g}m" in (a.note or ""), key
        return True

    missing = [
        (r["partnership"], r["metric"])
        for r in rows
        if (r["source_url"], figure(r)) not in have and not resourced(r)
    ]
    assert not missing


def test_readme_lists_every_value() -> None:
    readme = (SHIPPED / "README.md").read_text(encoding="utf-8")
    assert assumptions.render_markdown(SHIPPED) in readme, (
        "data/assumptions/README.md is stale: run `python -m sharedservices.inputs.assumptions --readme`"
    )


RESEARCH_TABLES = RESEARCH_CASES.parent


def _research_rows(name: str) -> list[dict[str, str]]:
    path = RESEARCH_TABLES / name
    if not path.exists():
        pytest.skip("research tables not mounted")
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z]+", "_", text.lower()).strip("_")


def test_green_book_schedule_matches_research_table() -> None:
    rows = _research_rows("green_book_discount_rate_schedule.csv")
    expected = [
        {
            "from_year": int(r["year_from"]),
            "to_year": int(r["year_to"]) if r["year_to"].strip() else None,
            "rate": float(r["real_discount_rate"]),
        }
        for r in rows
    ]
    assert v("discounting.green_book_schedule") == expected


def test_optimism_bias_matches_research_table() -> None:
    rows = _research_rows("green_book_optimism_bias_upper_lower.csv")
    table = v("optimism_bias.table")
    assert set(table) == {_slug(r["project_type"]) for r in rows}
    for r in rows:
        row = table[_slug(r["project_type"])]
        for field in row:
            raw = r[f"{field}_pct"].strip()
            assert row[field] == (None if not raw else pytest.approx(float(raw) / 100)), field


def test_sr2010_profile_matches_research_table() -> None:
    rows = {r["series"]: r for r in _research_rows("sr2010_lg_funding_profile.csv")}
    for series, key in [
        ("LG Resource DEL", "sr2010.lg_resource_del_cash_gbp_bn"),
        ("of which DCLG formula grant funding", "sr2010.formula_grant_cash_gbp_bn"),
        ("of which council tax freeze grant", "sr2010.council_tax_freeze_grant_cash_gbp_bn"),
    ]:
        assert v(key) == {y: float(rows[series][y]) for y in SR_YEARS}, key
