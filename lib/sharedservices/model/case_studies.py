"""The model against the reported outcomes of real shared-service case studies.

For each case study in ``data/assumptions/case_studies.yaml`` with enough figures, the
partner councils are run through :func:`sharedservices.model.scenario.run_scenario` with the
suite's **default assumptions** and the programme preset that best matches what the
partnership shared, and each reported figure is set beside what the model would have
predicted for the same scope and the same point in the programme's life.

What is compared
----------------
A reported figure (a *claim*: a plan, a target or a self-reported saving from a council
page or the press, never audited outturn) is one of

* ``annual``: the saving in the k-th year of the partnership (k = 1 is its first year);
  the model's figure is its gross saving in programme year k;
* ``cumulative``: the total saved over the first n years; the model's figure is the sum of
  its gross savings over programme years 1..n;
* ``steady``: an ongoing annual saving; the model's figure is its steady-state gross saving
  (full rate, before failure and running costs).

Model savings are **gross** (before running costs), survival-weighted, with optimism bias,
summed over the partner councils, in **£m, real 2010-11 prices**.  The model's programme
starts in 2011-12 whatever year the partnership started, so programme year k of the model
is compared with the k-th year of the partnership.  Claims are **£m, cash** in the years
they name; the GDP deflator moves by a few per cent over these years (see
:func:`deflator_range_pct`), far less than the gaps found.

``ratio`` is reported / model (above 1: the partnership claimed more than the model
predicts).  ``within_spread`` says whether the claim lies within one relative standard
deviation of the model's figure, the cited ``programmes.spread.savings_rate``.

Each :class:`Case` names its partner councils (RS codes), the preset, the claims used and,
in words, what the model leaves out that matters for that case (``why``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from sharedservices.errors import InputError
from sharedservices.inputs import assumptions
from sharedservices.model import cited, scenario

__all__ = [
    "CASES",
    "Case",
    "Claim",
    "case_names",
    "case_overview",
    "claim_model_value",
    "claim_years",
    "compare",
    "comparison_summary",
    "deflator_range_pct",
    "error_kind",
    "in_sample_keys",
    "model_savings",
    "out_of_sample_adjustment",
]

ClaimKind = Literal["annual", "cumulative", "steady"]
CLAIM_KINDS: tuple[str, ...] = ("annual", "cumulative", "steady")


@dataclass(frozen=True)
class Claim:
    """One reported figure and how it lines up with the model.

    Attributes
    ----------
    metric : str
        Key under the case in ``case_studies.yaml`` (``<case>.<metric>``); the value is £m.
    kind : {"annual", "cumulative", "steady"}
        See the module docstring.
    years : int
        ``annual``: the programme year k (1 = first year); ``cumulative``: the number of
        years n summed; ``steady``: 0.
    plan : bool
        The figure is a plan, target or promise, not a reported outcome.
    """

    metric: str
    kind: ClaimKind
    years: int = 0
    plan: bool = False

    def __post_init__(self) -> None:
        if self.kind not in CLAIM_KINDS:
            raise InputError(f"claim kind: {self.kind!r} (allowed: {', '.join(CLAIM_KINDS)})")
        if self.kind == "steady" and self.years != 0:
            raise InputError(f"claim {self.metric!r}: years {self.years} for a steady claim (allowed: 0)")
        if self.kind != "steady" and self.years < 1:
            raise InputError(f"claim {self.metric!r}: years {self.years} (allowed: 1 or more)")


@dataclass(frozen=True)
class Case:
    """A shared-service partnership and the claims compared with the model.

    Attributes
    ----------
    key : str
        Prefix of its figures in ``case_studies.yaml``.
    name : str
        Plain name.
    councils : tuple of str
        RS codes of the partner councils in the data (bodies that are not councils, such as
        a police force, are left out and named in ``note``).
    preset : str
        Programme preset matching what was shared.
    started : str
        Financial year the partnership started (for the reader; the model starts in 2011-12).
    claims : tuple of Claim
    why : str
        What the model leaves out that matters for this case (words, no figures).
    note : str
        Scope notes.
    short : str
        Short name for figure labels (default: ``name``).
    calibrates : tuple of str
        The model's assumption keys whose cited value was taken from this case's own
        figures.  A case whose preset uses one of them is **in sample**: its claims are
        shown but left out of the accuracy figures.
    """

    key: str
    name: str
    councils: tuple[str, ...]
    preset: str
    started: str
    claims: tuple[Claim, ...]
    why: str
    note: str = ""
    short: str = ""
    calibrates: tuple[str, ...] = ()


#: The case studies with enough figures to compare (a partnership of councils in the data,
#: at least one £m saving).  Left out: Harlow-Uttlesford (one service, revenues and
#: benefits, which the RS summary does not separate), the Anglia Revenues Partnership
#: and Worcestershire Regulatory Services (no savings figure), the LGA's pooled figure
#: (five unnamed arrangements).
CASES: tuple[Case, ...] = (
    Case(
        "tri_borough", "Tri-borough (Hammersmith & Fulham, Kensington & Chelsea, Westminster)",
        ("E5014", "E5016", "E5022"), "broad", "2011-12",
        (Claim("in_year_saving_2012_13_gbp_m", "annual", 2),
         Claim("projected_annual_saving_gbp_m", "annual", 4, plan=True),
         Claim("target_annual_saving_gbp_m", "annual", 5, plan=True),
         Claim("revised_annual_saving_gbp_m", "annual", 5, plan=True)),
        why="Shared children's services, adult social care and senior management across three "
            "large boroughs; the broad preset covers those services, but its long social-care "
            "ramp, lengthened by optimism bias, puts most of the saving after the years the "
            "boroughs reported on. The arrangement ended in 2018, which the model's annual "
            "failure rate spreads thinly over every year.",
        note="Broad preset: back office, environmental services, adult and children's social care.",
        short="Tri-borough",
        calibrates=tuple(f"programmes.service.{s}.{f}" for s in ("adult_social_care", "childrens_social_care")
                         for f in ("savings_rate", "lead_time_years", "ramp_years")),
    ),
    Case(
        "cpbs", "Compass Point Business Services (East Lindsey, South Holland)",
        ("E2532", "E2535"), "back_office", "2010-11",
        (Claim("first_year_saving_gbp_m", "annual", 1),
         Claim("two_year_cumulative_saving_gbp_m", "cumulative", 2),
         Claim("business_case_saving_gbp_m", "cumulative", 10, plan=True)),
        why="A back-office company whose planned savings rate is the model's own back-office "
            "rate (so not an independent test); the model's ramp and optimism-bias delay hold "
            "first-year savings back, while the partners claimed savings from the first year.",
        short="Compass Point",
        calibrates=("programmes.service.central.savings_rate", "programmes.service.central.lead_time_years"),
    ),
    Case(
        "adur_worthing", "Adur & Worthing", ("E3831", "E3837"), "back_office", "2008-09",
        (Claim("saving_2011_12_gbp_m", "annual", 4),
         Claim("ten_year_cumulative_saving_gbp_m", "cumulative", 10)),
        why="One officer structure for two councils (management and front-line teams as well "
            "as the back office), so more was shared than the back-office preset covers.",
        short="Adur & Worthing",
    ),
    Case(
        "lgss", "LGSS (Cambridgeshire, Northamptonshire)", ("E0521", "E2820"), "back_office",
        "2010-11",
        (Claim("savings_to_aug_2011_gbp_m", "cumulative", 1),
         Claim("first_year_saving_gbp_m", "annual", 1),
         Claim("predicted_saving_2012_13_gbp_m", "annual", 3, plan=True)),
        why="Two large county councils with big back offices and an up-front ERP investment; "
            "early figures count savings banked while the service was being set up.",
        short="LGSS",
        calibrates=("programmes.service.central.one_off_cost_ratio", "programmes.service.central.lead_time_years",
                    "programmes.service.central.ramp_years"),
    ),
    Case(
        "south_west_one", "South West One (Somerset CC, Taunton Deane)", ("E3320", "E3333"),
        "back_office", "2007-08",
        (Claim("saving_to_2010_11_gbp_m", "cumulative", 3),
         Claim("saving_to_dec_2012_gbp_m", "cumulative", 5),
         Claim("promised_saving_gbp_m", "cumulative", 10, plan=True)),
        why="An outsourcing joint venture whose savings rested on procurement deals that were "
            "mostly not implemented and an SAP roll-out; the model assumes the cited savings "
            "rate is delivered, so it has no term for a contract that under-delivers.",
        note="Avon and Somerset Police, the third partner, is not a council and is left out.",
        short="South West One",
    ),
    Case(
        "suffolk_coastal_waveney", "Suffolk Coastal & Waveney", ("E3536", "E3537"),
        "back_office", "2010-11",
        (Claim("merged_management_saving_gbp_m", "steady", plan=True),
         Claim("cumulative_saving_gbp_m", "cumulative", 5)),
        why="Began with a shared chief executive and one management team, a narrower scope "
            "than the whole back office; later merged into East Suffolk.",
        short="Suffolk Coastal & Waveney",
    ),
    Case(
        "west_suffolk", "West Suffolk (St Edmundsbury, Forest Heath)", ("E3535", "E3532"),
        "back_office", "2011-12",
        (Claim("planned_saving_gbp_m", "cumulative", 6, plan=True),),
        why="A plan, not an outturn; shared management and services ahead of a merger.",
        short="West Suffolk",
    ),
    Case(
        "babergh_mid_suffolk", "Babergh & Mid Suffolk", ("E3531", "E3534"), "back_office",
        "2011-12",
        (Claim("integration_saving_gbp_m", "annual", 1, plan=True),),
        why="A plan for an integrated officer structure; claimed for the first full year.",
        short="Babergh & Mid Suffolk",
    ),
    Case(
        "arun_chichester_horsham", "Arun, Chichester & Horsham (abandoned)",
        ("E3832", "E3833", "E3835"), "back_office", "2016-17",
        (Claim("planned_saving_gbp_m", "steady", plan=True),),
        why="Abandoned before it started because the savings did not justify the costs and "
            "risks: the model predicts a saving, not whether councils will go ahead.",
        short="Arun, Chichester & Horsham",
    ),
)


def case_names(cases: Sequence[Case] = CASES, *, short: bool = False) -> dict[str, str]:
    """Case key to plain name (``short``: the short name for figure labels).

    Examples
    --------
    >>> case_names()["cpbs"]
    'Compass Point Business Services (East Lindsey, South Holland)'
    >>> case_names(short=True)["cpbs"]
    'Compass Point'
    """
    return {c.key: (c.short or c.name) if short else c.name for c in cases}


def claim_model_value(gross_by_year: Sequence[float] | np.ndarray, start_year: int, claim: Claim,
                      steady_state: float) -> float:
    """The model's figure for one claim, from its gross savings by model year.

    Parameters
    ----------
    gross_by_year : array_like
        Gross savings by model year 0..H (any money unit; the result has the same unit).
    start_year : int
        Model year of the programme's start (programme year 1).
    claim : Claim
    steady_state : float
        Steady-state gross saving a year (same unit), for ``steady`` claims.

    Returns
    -------
    float

    Raises
    ------
    InputError
        The claim needs years beyond the horizon.

    Examples
    --------
    >>> g = [0.0, 1.0, 3.0, 4.0, 4.0]
    >>> claim_model_value(g, 1, Claim("x", "annual", 2), 4.0)
    3.0
    >>> claim_model_value(g, 1, Claim("x", "cumulative", 3), 4.0)
    8.0
    >>> claim_model_value(g, 1, Claim("x", "steady"), 4.0)
    4.0
    """
    g = np.asarray(gross_by_year, dtype="float64")
    if claim.kind == "steady":
        return float(steady_state)
    last = start_year + claim.years - 1
    if last >= g.size:
        raise InputError(
            f"claim {claim.metric!r}: needs model year {last} (allowed: horizon at least {last})"
        )
    if claim.kind == "annual":
        return float(g[last])
    return float(g[start_year : last + 1].sum())


def model_savings(case: Case, *, programme: str | None = None, horizon: int = 10,
                  run: Callable[..., Any] | None = None, optimism: object | None = None) -> dict[str, Any]:
    """Run the model with default assumptions for each partner council; sum the results.

    Parameters
    ----------
    case : Case
    programme : str, optional
        Preset to use instead of the case's own.
    horizon : int
        Last model year (years 0..H).
    run : callable, optional
        ``run_scenario`` (default :func:`sharedservices.model.scenario.run_scenario`); injectable
        for tests.
    optimism : Adjustment, optional
        The optimism-bias adjustment (default: the reference class with this case left
        out, :func:`out_of_sample_adjustment`).

    Returns
    -------
    dict
        ``programme``, ``start_year`` (model year), ``gross_by_year`` (ndarray, £m real
        2010-11 prices), ``steady_state_gross_gbp_m``, ``steady_state_net_gbp_m``,
        ``one_off_cost_gbp_m`` (after optimism bias), ``total_service_expenditure_gbp_m``
        (partners' 2010-11 total, £m real 2010-11 prices) and ``by_council`` (RS code to its
        steady-state gross saving, £m).
    """
    run = scenario.run_scenario if run is None else run
    preset = programme or case.preset
    start = cited.preset(preset).start_year
    gross = np.zeros(horizon + 1)
    ss_gross = ss_net = one_off = tse = 0.0
    by_council: dict[str, float] = {}
    adj = out_of_sample_adjustment(case) if optimism is None else optimism
    for code in case.councils:
        r = run(code, preset, horizon=horizon, optimism_adjustment=adj)
        m = r.metrics
        gross += np.asarray(r.arrays.gross_savings, dtype="float64") / 1000.0
        ss_gross += m["gross_steady_state_saving_gbp_thousand"] / 1000.0
        ss_net += m["steady_state_saving_gbp_thousand"] / 1000.0
        one_off += m["one_off_cost_gbp_thousand"] / 1000.0
        tse += m["total_service_expenditure_gbp_thousand"] / 1000.0
        by_council[code] = m["gross_steady_state_saving_gbp_thousand"] / 1000.0
    return {
        "programme": preset, "start_year": start, "gross_by_year": gross,
        "steady_state_gross_gbp_m": ss_gross, "steady_state_net_gbp_m": ss_net,
        "one_off_cost_gbp_m": one_off, "total_service_expenditure_gbp_m": tse,
        "by_council": by_council,
    }


def out_of_sample_adjustment(case: Case) -> object:
    """The reference-class optimism adjustment with the case's own plan-and-outcome pairs
    left out (it may not set the adjustment it is tested with)."""
    return cited.adjustment("reference_class", exclude=(case.key,))


def in_sample_keys(case: Case, programme: str | None = None) -> tuple[str, ...]:
    """The assumption keys the case calibrated that its preset uses (empty: out of sample).

    Examples
    --------
    >>> by_key = {c.key: c for c in CASES}
    >>> in_sample_keys(by_key["lgss"])[0], in_sample_keys(by_key["adur_worthing"])
    ('programmes.service.central.one_off_cost_ratio', ())
    >>> in_sample_keys(by_key["tri_borough"], programme="back_office")
    ()
    """

    services = assumptions.value(f"programmes.preset.{programme or case.preset}")
    used = {f"programmes.service.{s}.{f}" for s in services for f in _SERVICE_FIELDS}
    return tuple(k for k in case.calibrates if k in used)


#: Claims about the first years of a partnership test how fast savings come (timing);
#: later and ongoing ones test how much they are (level).
TIMING_YEARS = 3


def error_kind(kind: str, years: int) -> str:
    """``timing`` for a claim about the first :data:`TIMING_YEARS` years, else ``level``.

    Examples
    --------
    >>> error_kind("annual", 2), error_kind("cumulative", 10), error_kind("steady", 0)
    ('timing', 'level', 'level')
    """
    return "timing" if kind != "steady" and years <= TIMING_YEARS else "level"


COMPARISON_COLUMNS = [
    "case", "case_name", "councils", "programme", "started", "claim", "claim_unit", "kind",
    "years", "plan", "error_kind", "reported_gbp_m", "model_gbp_m", "ratio", "model_zero", "within_spread",
    "direction", "in_sample", "calibrated_from_case", "quality", "source_title", "source_url",
]


def compare(cases: Sequence[Case] = CASES, *, programme: str | None = None, horizon: int = 10,
            run: Callable[..., Any] | None = None) -> pd.DataFrame:
    """Each claim beside the model's prediction for the same scope and programme year.

    Parameters
    ----------
    cases : sequence of Case
        Default: :data:`CASES`.
    programme : str, optional
        One preset for every case instead of each case's own (a what-if).
    horizon : int
        Last model year; at least the longest claim's last year.
    run : callable, optional
        Injectable ``run_scenario``.

    Returns
    -------
    pandas.DataFrame
        One row per claim, every claim (:data:`COMPARISON_COLUMNS`): ``reported_gbp_m``
        (£m, cash, a claim), ``model_gbp_m`` (£m, real 2010-11 prices, gross), ``ratio``
        (reported / model; +inf where the model predicts no saving, a miss),
        ``model_zero``, ``within_spread`` (bool; False where the model is 0),
        ``direction`` ("reported above model" / "reported below model"), ``error_kind``
        (:func:`error_kind`), ``in_sample`` (the case calibrated a parameter its preset
        uses, :func:`in_sample_keys`, listed in ``calibrated_from_case``), and the claim's
        rating and source.  The optimism adjustment of each case leaves that case out of
        the reference class.
    """

    spread = float(assumptions.value("programmes.spread.savings_rate"))
    rows = []
    for case in cases:
        model = model_savings(case, programme=programme, horizon=horizon, run=run)
        keys = in_sample_keys(case, programme)
        for claim in case.claims:
            a = assumptions.get(f"case_studies.{case.key}.{claim.metric}")
            reported = float(a.value)
            predicted = claim_model_value(model["gross_by_year"], model["start_year"], claim,
                                          model["steady_state_gross_gbp_m"])
            zero = not predicted > 0
            ratio = float("inf") if zero else reported / predicted
            rows.append({
                "case": case.key, "case_name": case.name, "councils": ",".join(case.councils),
                "programme": model["programme"], "started": case.started, "claim": claim.metric,
                "claim_unit": a.unit, "kind": claim.kind, "years": claim.years, "plan": claim.plan,
                "error_kind": error_kind(claim.kind, claim.years),
                "reported_gbp_m": reported, "model_gbp_m": predicted, "ratio": ratio, "model_zero": zero,
                "within_spread": bool(not zero and abs(ratio - 1.0) <= spread),
                "direction": "reported above model" if reported > predicted else "reported below model",
                "in_sample": bool(keys), "calibrated_from_case": ", ".join(keys),
                "quality": a.quality, "source_title": a.source_title, "source_url": a.source_url,
            })
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def comparison_summary(comparison: pd.DataFrame) -> dict[str, float | int | str]:
    """Accuracy over a :func:`compare` table: every claim counted, in-sample cases apart.

    A claim the model puts at 0 is a miss (ratio +inf), never a dropped row.  The accuracy
    figures (``within_spread``, ``above_model``, ``below_model``, ``median_ratio``, the
    ``timing_*`` and ``level_*`` figures and the largest over- and under-claim) are over the
    **out-of-sample** claims only.

    Returns
    -------
    dict
        ``claims`` and ``cases`` (all), ``in_sample_claims``, ``in_sample_cases`` (comma-
        separated keys), ``out_of_sample_claims``, ``model_zero`` (all claims), and over the
        out-of-sample claims: ``model_zero_out_of_sample``, ``within_spread``, ``misses``,
        ``above_model``, ``below_model``, ``median_ratio`` (reported / model, misses at 0
        counted as +inf), for each kind ``<kind>_claims``, ``<kind>_within_spread``,
        ``<kind>_median_ratio``, ``plan_claims`` / ``plan_median_ratio`` and
        ``outturn_claims`` / ``outturn_within_spread`` / ``outturn_median_ratio`` (plans,
        targets and promises apart from reported outcomes), and ``largest_overclaim_case``
        / ``largest_shortfall_case`` (highest and lowest finite ratio among reported
        outcomes) with their ``_ratio`` and ``_claim``.

    Examples
    --------
    >>> t = pd.DataFrame({"case": ["a", "a", "b", "c"], "ratio": [2.0, float("inf"), 0.1, 1.0],
    ...     "model_zero": [False, True, False, False], "within_spread": [False, False, False, True],
    ...     "in_sample": [False, False, False, True], "error_kind": ["level", "timing", "level", "level"],
    ...     "direction": ["reported above model", "reported above model", "reported below model",
    ...                   "reported below model"]})
    >>> s = comparison_summary(t)
    >>> s["claims"], s["out_of_sample_claims"], s["median_ratio"], s["misses"], s["largest_shortfall_case"]
    (4, 3, 2.0, 3, 'b')
    """
    t = comparison
    oos = t[~t["in_sample"].astype(bool)]
    ratio = oos["ratio"].astype("float64")
    plan = oos["plan"].astype(bool) if "plan" in oos else pd.Series(False, index=oos.index)
    outturn = ratio[~plan]
    finite = outturn[np.isfinite(outturn)]
    hi = oos.loc[finite.idxmax()] if len(finite) else None
    lo = oos.loc[finite.idxmin()] if len(finite) else None

    def med(r: pd.Series) -> float:
        return float(np.median(r.to_numpy())) if len(r) else float("nan")

    out: dict[str, float | int | str] = {
        "claims": len(t),
        "cases": int(t["case"].nunique()),
        "in_sample_claims": int(t["in_sample"].astype(bool).sum()),
        "in_sample_cases": ",".join(dict.fromkeys(t.loc[t["in_sample"].astype(bool), "case"])),
        "out_of_sample_claims": len(oos),
        "model_zero": int(t["model_zero"].astype(bool).sum()),
        "model_zero_out_of_sample": int(oos["model_zero"].astype(bool).sum()),
        "within_spread": int(oos["within_spread"].sum()),
        "misses": int((~oos["within_spread"].astype(bool)).sum()),
        "above_model": int((oos["direction"] == "reported above model").sum()),
        "below_model": int((oos["direction"] == "reported below model").sum()),
        "median_ratio": med(ratio),
    }
    out["plan_claims"] = int(plan.sum())
    out["plan_median_ratio"] = med(ratio[plan])
    out["outturn_claims"] = int((~plan).sum())
    out["outturn_within_spread"] = int(oos.loc[~plan, "within_spread"].sum())
    out["outturn_median_ratio"] = med(outturn)
    for kind in ("timing", "level"):
        sub = oos[oos["error_kind"] == kind]
        out[f"{kind}_claims"] = len(sub)
        out[f"{kind}_within_spread"] = int(sub["within_spread"].sum())
        out[f"{kind}_median_ratio"] = med(sub["ratio"].astype("float64"))
    out.update({
        "largest_overclaim_case": "" if hi is None else str(hi["case"]),
        "largest_overclaim_claim": "" if hi is None else str(hi.get("claim", "")),
        "largest_overclaim_ratio": float("nan") if hi is None else float(hi["ratio"]),
        "largest_shortfall_case": "" if lo is None else str(lo["case"]),
        "largest_shortfall_claim": "" if lo is None else str(lo.get("claim", "")),
        "largest_shortfall_ratio": float("nan") if lo is None else float(lo["ratio"]),
    })
    return out


#: The last financial year a compared claim refers to (the latest RS year in the data).
LAST_CLAIM_YEAR = "2017-18"


def claim_years(cases: Sequence[Case] = CASES) -> tuple[str, str]:
    """The financial years the claims span: the earliest start of a case to
    :data:`LAST_CLAIM_YEAR`.

    Examples
    --------
    >>> claim_years()
    ('2007-08', '2017-18')
    """
    return min(c.started for c in cases), LAST_CLAIM_YEAR


def deflator_range_pct(deflator: dict[str, float] | None = None, years: tuple[str, str] | None = None) -> float:
    """How far the GDP deflator moves between two financial years, % (later / earlier - 1,
    the larger way round); default the years the claims span (:func:`claim_years`).

    Examples
    --------
    >>> deflator_range_pct({"2009-10": 98.0, "2010-11": 100.0, "2014-15": 107.2}, ("2010-11", "2014-15"))
    7.2
    """
    if deflator is None:
        deflator = cited.deflator()
    first, last = claim_years() if years is None else years
    for y in (first, last):
        if y not in deflator:
            raise InputError(f"deflator year: {y!r} is not in the series (allowed: {', '.join(sorted(deflator))})")
    a, b = float(deflator[first]), float(deflator[last])
    return float(round(100.0 * (max(a, b) / min(a, b) - 1.0), 6))


CASE_COLUMNS = [
    "case", "case_name", "councils", "programme", "started", "steady_state_gross_gbp_m",
    "steady_state_net_gbp_m", "one_off_cost_gbp_m", "total_service_expenditure_gbp_m",
    "steady_state_gross_share_of_tse_pct", "why", "note",
]


def case_overview(cases: Sequence[Case] = CASES, *, programme: str | None = None, horizon: int = 10,
                  run: Callable[..., Any] | None = None) -> pd.DataFrame:
    """One row per case: the model's steady-state prediction for the partners and why it may miss.

    Returns
    -------
    pandas.DataFrame
        :data:`CASE_COLUMNS`; money £m a year (one-off: £m once), real 2010-11 prices;
        ``steady_state_gross_share_of_tse_pct`` is % of the partners' 2010-11 total service
        expenditure.
    """
    rows = []
    for case in cases:
        m = model_savings(case, programme=programme, horizon=horizon, run=run)
        tse = float(m["total_service_expenditure_gbp_m"])
        rows.append({
            "case": case.key, "case_name": case.name, "councils": ",".join(case.councils),
            "programme": m["programme"], "started": case.started,
            "steady_state_gross_gbp_m": m["steady_state_gross_gbp_m"],
            "steady_state_net_gbp_m": m["steady_state_net_gbp_m"],
            "one_off_cost_gbp_m": m["one_off_cost_gbp_m"],
            "total_service_expenditure_gbp_m": tse,
            "steady_state_gross_share_of_tse_pct": 100.0 * float(m["steady_state_gross_gbp_m"]) / tse
            if tse > 0 else float("nan"),
            "why": case.why, "note": case.note,
        })
    return pd.DataFrame(rows, columns=CASE_COLUMNS)


#: Programme fields cited for each service a compared preset shares.
_SERVICE_FIELDS = ("addressable_share", "savings_rate", "one_off_cost_ratio", "lead_time_years", "ramp_years",
                   "running_cost_ratio")
