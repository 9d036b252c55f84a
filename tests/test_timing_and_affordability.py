"""Issue 11: front-line cuts that stick, appraisal apart from affordability, reserves that are
the council's own money, lawful borrowing and a partner on terms it would sign."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import yaml
from sharedservices.errors import InputError
from sharedservices.inputs import assumptions, paths
from sharedservices.model import cited, gap, programmes, scenario
from sharedservices.model.programmes import Programme, ServiceShare
from sharedservices.report import format as fmt
from sharedservices.report import scenarios
from sharedservices.report.findings import nb30_payback_vs_cuts as f30

# --- sticking cuts ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def residuals() -> np.ndarray:
    rng = np.random.default_rng(11)
    return rng.normal(0, 100, size=(400, 11)).cumsum(axis=1)


def test_full_restoration_is_the_positive_part(residuals) -> None:
    np.testing.assert_array_equal(gap.sticky_cuts(residuals, 0.0), np.maximum(residuals, 0.0))


def test_nothing_restored_is_the_running_maximum(residuals) -> None:
    np.testing.assert_allclose(gap.sticky_cuts(residuals, 1.0),
                               np.maximum.accumulate(np.maximum(residuals, 0.0), axis=1))


def test_cuts_never_fall_below_the_gap_and_grow_with_persistence(residuals) -> None:
    prev = gap.sticky_cuts(residuals, 0.0)
    for p in (0.25, 0.5, 0.75, 1.0):
        cuts = gap.sticky_cuts(residuals, p)
        assert (cuts >= np.maximum(residuals, 0) - 1e-9).all()
        assert (cuts.sum(axis=1) >= prev.sum(axis=1) - 1e-9).all()
        prev = cuts
    one = gap.sticky_cuts(residuals[3], 0.75)
    np.testing.assert_allclose(gap.sticky_cuts(residuals, 0.75)[3], one)  # draws broadcast


def test_persistence_outside_0_1_is_refused() -> None:
    with pytest.raises(InputError, match="frontline_cut_persistence"):
        gap.sticky_cuts([0, 1.0], 1.5)
    with pytest.raises(InputError, match="frontline_cut_persistence"):
        scenario.run_scenario(_council(), "back_office", frontline_cut_persistence=-0.1)


def test_share_absorbed_definition() -> None:
    assert gap.penalty_absorbed_share(300.0, 250.0) == pytest.approx(1 / 6)
    assert gap.penalty_absorbed_share(300.0, 355.0) == pytest.approx(-55 / 300)
    assert gap.penalty_absorbed_share(0.0, 10.0) is None  # no penalty, nothing to absorb


def test_default_persistence_is_the_cited_value() -> None:
    m = scenario.run_scenario(_council(), "back_office").metrics
    assert m["frontline_cut_persistence"] == assumptions.value("frontline.cut_persistence")
    cases = m["penalty_by_persistence"]
    assert [cases[k]["persistence"] for k in ("none", "default", "full")] == [
        0.0, assumptions.value("frontline.cut_persistence"), 1.0]


# --- timing: a programme whose savings arrive sooner absorbs more --------------------------


def _council(reserves: float = 15_000.0, nre: float = 0.0) -> scenario.CouncilInputs:
    spend = {s: 0.0 for s in programmes.SERVICES}
    spend.update(education=100_000, adult_social_care=40_000, childrens_social_care=17_000,
                 environmental_regulatory=13_000, highways_transport=8_000, cultural=8_000, central=6_000,
                 housing=3_000, planning_development=3_000, other=2_000)
    return scenario.CouncilInputs("E9998", "Synthetic", spend, sum(spend.values()), base_funding=80_000.0,
                                  actual_funding=np.array([80_000.0, 70_000, 66_000, 64_000, 60_000]),
                                  usable_reserves=reserves, net_revenue_expenditure=nre)


def _big_programme(lead: float, ramp: float) -> Programme:
    """Social care and waste shared at a savings rate large enough to outgrow the gap."""
    return Programme("big", tuple(ServiceShare(s, 1.0, 0.3, 0.1, lead, ramp, 0.0)
                                  for s in ("adult_social_care", "environmental_regulatory")),
                     failure_probability=0.0)


def _absorbed(lead: float, ramp: float, **kw) -> float:
    return scenario.run_scenario(_council(), _big_programme(lead, ramp), optimism_bias=False,
                                 **kw).metrics["front_loading_penalty_absorbed_share"]


def test_shorter_lead_time_strictly_raises_the_share_absorbed() -> None:
    # savings that begin within the first year of the SR2010 cuts, default persistence
    shares = [_absorbed(lead, 1.0) for lead in (1.0, 0.75, 0.5, 0.25, 0.0)]
    assert all(b > a for a, b in zip(shares, shares[1:], strict=False)), shares
    assert shares[0] < 0 < shares[-1]  # late savings absorb a negative share, early ones a positive


def test_shorter_ramp_strictly_raises_the_share_absorbed() -> None:
    shares = [_absorbed(0.0, ramp) for ramp in (2.0, 1.5, 1.0, 0.75)]
    assert all(b > a for a, b in zip(shares, shares[1:], strict=False)), shares


def test_without_persistence_timing_cannot_move_a_penalty_savings_never_beat() -> None:
    # the model before issue 11: savings are subtracted from both paths alike, so a
    # programme too small to cover either path's gap leaves the penalty where it was
    small = Programme("small", (ServiceShare("central", 1.0, 0.05, 0.1, 0.0, 1.0, 0.0),), failure_probability=0.0)
    for lead in (0.0, 1.0, 2.0):
        prog = Programme("small", (replace(small.services[0], lead_time_years=lead),), failure_probability=0.0)
        m = scenario.run_scenario(_council(), prog, frontline_cut_persistence=0.0, optimism_bias=False).metrics
        assert m["front_loading_penalty_absorbed_share"] == pytest.approx(0.0, abs=1e-12)
        assert m["front_loading_penalty_gbp_thousand"] == pytest.approx(
            m["front_loading_penalty_no_programme_gbp_thousand"])


def test_a_programme_that_never_saves_absorbs_nothing() -> None:
    assert _absorbed(50.0, 1.0) == pytest.approx(0.0, abs=1e-12)


# --- reserves ------------------------------------------------------------------------------


def test_reserves_stop_at_the_prudent_minimum_and_are_not_there_for_the_gap() -> None:
    nre = 100_000.0
    ci = _council(reserves=6_000.0, nre=nre)
    m = scenario.run_scenario(ci, "broad", financing="reserves").metrics
    minimum = assumptions.value("financing.reserves_minimum_share") * nre
    assert m["reserves_minimum_gbp_thousand"] == pytest.approx(minimum)
    assert m["reserves_available_gbp_thousand"] == pytest.approx(6_000.0 - minimum)
    assert m["reserves_draw_gbp_thousand"] <= 6_000.0 - minimum + 1e-9
    assert m["one_off_cost_gbp_thousand"] > m["reserves_draw_gbp_thousand"]  # the rest falls on revenue
    assert m["revenue_one_off_gbp_thousand"] == pytest.approx(
        m["one_off_cost_gbp_thousand"] - m["reserves_draw_gbp_thousand"])
    assert m["reserves_left_for_gap_gbp_thousand"] == pytest.approx(
        m["reserves_available_gbp_thousand"] - m["reserves_draw_gbp_thousand"])
    assert m["reserves_sufficient"] is False


def test_a_draw_on_reserves_is_a_cost_in_the_year_it_is_made() -> None:
    r = scenario.run_scenario(_council(), "broad", financing="reserves", discount=0.0)
    m, t = r.metrics, r.timing
    budget = t["net_savings"] - t["reserves_draw"]
    np.testing.assert_allclose(budget, t["programme_cash_flow"])  # own money: the cash flow itself
    assert m["budget_effect_pv_gbp_thousand"] == pytest.approx(budget.sum())
    assert m["budget_effect_pv_gbp_thousand"] == pytest.approx(m["npv_gbp_thousand"])
    assert m["budget_payback_year"] == m["payback_year"]
    grant = scenario.run_scenario(_council(), "broad", financing="grant", discount=0.0).metrics
    assert grant["budget_effect_pv_gbp_thousand"] == pytest.approx(
        m["npv_gbp_thousand"] + assumptions.value("financing.invest_to_save_grant_share") * m["one_off_cost_gbp_thousand"])


def _principal_councils() -> list[str]:
    from sharedservices.inputs import data

    c = data.councils()
    return sorted(c.loc[c["principal"], "ecode"])


def _has_data() -> bool:
    return all((paths.processed_dir() / f).exists() for f in ("spending.csv", "finance.csv", "councils.csv"))


needs_data = pytest.mark.skipif(not _has_data(), reason="data/processed not built")


@needs_data
@pytest.mark.parametrize("preset", ["back_office", "broad"])
def test_reserves_never_beat_the_programmes_own_npv_for_any_council(preset) -> None:
    worst = []
    for ecode in _principal_councils():
        m = scenario.run_scenario(ecode, preset, financing="reserves").metrics
        worst.append(m["budget_effect_pv_gbp_thousand"] - m["npv_gbp_thousand"])
        assert m["reserves_draw_gbp_thousand"] <= max(m["reserves_available_gbp_thousand"], 0.0) + 1e-6, ecode
    assert len(worst) > 300 and max(worst) <= 1e-6


# --- borrowing -----------------------------------------------------------------------------


def test_borrowing_funds_the_capital_share_only_unless_directed() -> None:
    m = scenario.run_scenario(_council(), "broad", financing="borrowing").metrics
    assert 0 < m["one_off_capital_share"] < 1
    assert m["borrowed_gbp_thousand"] == pytest.approx(m["one_off_capital_share"] * m["one_off_cost_gbp_thousand"])
    d = scenario.run_scenario(_council(), "broad", financing="borrowing", capitalisation_direction=True).metrics
    assert d["borrowed_gbp_thousand"] == pytest.approx(d["one_off_cost_gbp_thousand"])
    assert m["financing_cost_gbp_thousand"] > 0 and d["financing_cost_gbp_thousand"] > m["financing_cost_gbp_thousand"]


def test_capital_shares_are_cited_by_service() -> None:
    central = cited.preset("back_office").services[0]
    assert central.capital_share == assumptions.value("programmes.service.central.one_off_capital_share")
    other = [s for s in cited.preset("broad").services if s.service != "central"]
    shares = assumptions.value("programmes.one_off_capital_share_other_services")
    assert other and all(s.capital_share == shares[s.service] for s in other)


# --- a partner on terms it would sign -------------------------------------------------------


def test_a_partner_that_signs_earns_exactly_its_hurdle() -> None:
    m = scenario.run_scenario(_council(), _big_programme(0.5, 1.0), financing="gain_share").metrics
    assert m["partner_feasible"] is True and 0 < m["partner_share"] <= 1
    assert m["partner_irr"] == pytest.approx(assumptions.value("financing.partner_hurdle_rate_nominal"), abs=1e-6)
    assert m["partner_npv_at_hurdle_gbp_thousand"] == pytest.approx(0.0, abs=1e-3)
    assert m["financing_fallback"] is None
    h = f30.summarise(scenario.run_scenario(_council(), _big_programme(0.5, 1.0), financing="gain_share"))
    words = f30.financing_words(h)
    assert f"takes {fmt.pct(h['partner_share'])} of gross savings for {h['partner_term_years']} years" in words


def test_no_partner_would_finance_a_programme_too_small_for_its_hurdle() -> None:
    thin = Programme("thin", (ServiceShare("central", 1.0, 0.02, 0.3, 2.0, 3.0, 0.0),), failure_probability=0.0)
    r = scenario.run_scenario(_council(), thin, financing="gain_share")
    m = r.metrics
    assert m["partner_feasible"] is False and m["partner_irr"] is None
    assert m["financing_fallback"] == "reserves"
    assert m["partner_best_irr"] is None or m["partner_best_irr"] < m["partner_hurdle_nominal"]
    assert m["partner_npv_at_hurdle_gbp_thousand"] < 0
    assert f30.financing_words(f30.summarise(r)).startswith("no partner requiring the cited hurdle")


# --- the published payback reports ----------------------------------------------------------


@needs_data
def test_published_payback_reports_differ_or_the_reason_holds() -> None:
    """Issue 11: the five published payback reports no longer all report the same share
    absorbed, or the reason they do is true of each: its savings never let a residual gap
    fall (so no cut is ever restored and persistence never binds) and never exceed the
    even path's gap (so both paths' cuts fall by the same amount) - and its report says so."""
    from sharedservices.model import cuts

    spec = yaml.safe_load(paths.REPORTS_YAML.read_text())
    rows = [r["parameters"] for r in spec["reports"] if r["notebook"].endswith("30-payback-vs-cuts.ipynb")]
    assert len(rows) >= 5
    shares = {}
    for p in rows:
        r = scenarios.run_from_params(p)
        share = r.metrics["front_loading_penalty_absorbed_share"]
        shares[p["council"]] = round(share or 0.0, 6)
        if abs(share or 0.0) > 5e-4:
            continue
        sc = scenarios.to_scenario(p)
        si = scenario.resolve(sc.council, sc.programme, cut_path=sc.cut_path, horizon=sc.horizon)
        gap_even = cuts.funding_gap(cuts.even_path(si.path, si.n), si.pressure)
        net = r.timing["net_savings"].to_numpy()
        pers = r.metrics["frontline_cut_persistence"]
        for residual in (r.timing["residual_gap"].to_numpy(), gap_even - net):
            # no stuck cut ever exceeds what the gap needs: persistence never binds
            np.testing.assert_allclose(gap.sticky_cuts(residual, pers), np.maximum(residual, 0.0), atol=1e-6)
        assert (net <= gap_even + 1e-6).all(), p["council"]
        assert "lower both paths' cuts alike" in f30.penalty_words(f30.summarise(r))
    if len(set(shares.values())) == 1:
        assert len(shares) >= 5  # all the same, and every one explained above


def test_appraisal_leaves_financing_out() -> None:
    npvs = {f: scenario.run_scenario(_council(), "broad", financing=f).metrics["npv_gbp_thousand"]
            for f in ("reserves", "borrowing", "gain_share", "grant", "revenue")}
    assert len({round(v, 6) for v in npvs.values()}) == 1
    r = scenario.run_scenario(_council(), "broad", financing="borrowing", discount=0.0)
    assert r.metrics["npv_gbp_thousand"] == pytest.approx(r.timing["programme_cash_flow"].sum())
