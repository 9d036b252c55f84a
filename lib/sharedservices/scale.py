"""Economies of scale across English councils, and what they imply for pooling services.

For each service line and one financial year this module fits, by ordinary least squares,

.. math::

    \\log(s_i) = a + b\\,\\log(P_i) + \\text{class}_i + \\text{region}_i + e_i

where :math:`s_i` is council *i*'s net current expenditure on the service per resident
(£ per head, cash prices of the chosen year) and :math:`P_i` its 2011 census population.
:math:`b` is the **elasticity of spending per head with respect to population**: a 1 %
larger population goes with :math:`b` % different spending per head (negative = economies
of scale). Standard errors are heteroskedasticity-robust (HC3); intervals use the
t distribution.

*An association across councils, not a causal effect of sharing.* Councils that differ in
size differ in much else (deprivation, density, history), and a pooled service is not a
bigger council. Read the pooling figures as "what councils of the combined size spend per
head", an indication, not a forecast.

Which councils go in which model (``SERVICE_CLASSES``)
------------------------------------------------------
Only principal councils (SC, SD, UA, MD, L) are used: police, fire, transport and waste
bodies (class O) provide one service for an area the census does not give a population
for. Each service is fitted on the classes that provide it:

* upper-tier services (education, social care, public health, highways and transport):
  shire counties (SC), unitaries (UA), metropolitan districts (MD), London boroughs (L);
* housing (a district function): shire districts (SD), UA, MD, L;
* services both tiers provide (central services, cultural, environmental and regulatory,
  planning and development, other): every principal class. A county's part (waste
  disposal, libraries, county planning, its own back office) differs from a district's,
  so the class fixed effect absorbs each tier's level and the slope on population is
  assumed common to the tiers;
* totals (total service expenditure, net current expenditure): the single-tier councils
  (UA, MD, L) only, the councils whose totals cover the whole bundle of services;
* police and fire are not fitted by default (mostly run by class-O bodies); pass
  ``classes`` to fit them anyway.

Class and region enter as fixed effects. London boroughs are exactly the London region,
so one of the two dummies is redundant: any control column that adds nothing to the rank
of the design matrix is dropped (and named in ``dropped_controls``); the population term
and the intercept are never dropped.

Councils left out
-----------------
Every council not used is listed with a reason code: ``not_principal``,
``class_not_in_model`` (by design, as above), ``sui_generis`` (the City of London and
the Isles of Scilly: a few thousand residents with special funding arrangements, which
would dominate any fit), ``no_population`` (no exact 2011 figure; the reason from the
councils table is quoted), ``no_spending`` (no row for the year), ``spending_missing``
(a not-available marker) and ``non_positive_spending`` (zero or negative net spend: its
log is undefined).

Pooling
-------
Under the fitted relation, spending on a service scales as :math:`P^{1+b}`. When councils
1..k pool a service, each keeps its own spending level (its residual and controls) but is
moved to the combined population :math:`P = \\sum P_i`:

.. math::

    S_{\\text{pooled}} = \\sum_i S_i\\,(P / P_i)^{b}, \\qquad
    \\text{saving} = \\sum_i S_i - S_{\\text{pooled}}

in £ thousand per year (the units of :math:`S_i`), positive = lower spending. The interval
comes from evaluating the same formula at the ends of the coefficient's confidence
interval (the saving is monotone in :math:`b`), so it covers the uncertainty of the
elasticity only, not council-specific variation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf

from sharedservices.errors import DataError, InputError

PRINCIPAL_CLASSES: tuple[str, ...] = ("SC", "SD", "UA", "MD", "L")
UPPER_TIER: tuple[str, ...] = ("SC", "UA", "MD", "L")
DISTRICT_LEVEL: tuple[str, ...] = ("SD", "UA", "MD", "L")
BOTH_TIERS: tuple[str, ...] = PRINCIPAL_CLASSES
SINGLE_TIER: tuple[str, ...] = ("UA", "MD", "L")

#: Classes whose councils enter each service's model (see the module docstring).
SERVICE_CLASSES: dict[str, tuple[str, ...]] = {
    "education": UPPER_TIER,
    "highways_transport": UPPER_TIER,
    "social_care": UPPER_TIER,
    "childrens_social_care": UPPER_TIER,
    "adult_social_care": UPPER_TIER,
    "public_health": UPPER_TIER,
    "housing": DISTRICT_LEVEL,
    "cultural": BOTH_TIERS,
    "environmental_regulatory": BOTH_TIERS,
    "planning_development": BOTH_TIERS,
    "central": BOTH_TIERS,
    "other": BOTH_TIERS,
    "total_service_expenditure": SINGLE_TIER,
    "net_current_expenditure": SINGLE_TIER,
}

#: Service totals: fitted, but never pooled (they would count the lines twice).
TOTAL_SERVICES: tuple[str, ...] = ("total_service_expenditure", "net_current_expenditure")
#: Not pooled unless asked for: the totals, and education, most of which is schools'
#: delegated budgets that sharing between councils does not touch.
NOT_POOLED_BY_DEFAULT: tuple[str, ...] = (*TOTAL_SERVICES, "education")

#: Authorities left out of every fit by default, by ONS code (City of London, Isles of
#: Scilly): tiny populations with special arrangements that would dominate any fit.
SUI_GENERIS_ONS: dict[str, str] = {
    "E09000001": "City of London: 7,000 residents and a business-rate base of a city",
    "E06000053": "Isles of Scilly: 2,000 residents on islands, special funding",
}

POPULATION_TERM = "log_population"

_REASONS: dict[str, str] = {
    "not_principal": "not a principal council (class {cls})",
    "class_not_in_model": "class {cls} does not provide all of this service (model uses {classes})",
    "sui_generis": "sui generis authority: {detail}",
    "no_population": "no exact 2011 population: {detail}",
    "no_spending": "no spending row for {year}",
    "spending_missing": "spending not available for {year} (marked missing in the data)",
    "non_positive_spending": "net spending {value:,.0f} £ thousand in {year} is not positive (log undefined)",
}
_BY_DESIGN = {"not_principal", "class_not_in_model"}

_LEFT_OUT_COLUMNS = ["service", "year", "ecode", "name", "class", "reason_code", "reason", "by_design"]


@dataclass(frozen=True)
class ServiceFit:
    """One service's fitted scale model.

    Attributes
    ----------
    service, year : str
        Service slug and financial year ('2011-12' style).
    classes : tuple of str
        Council classes the model was fitted on.
    data : pandas.DataFrame
        The councils used, one row each: ``ecode, name, class, region, population,
        spend_gbp_thousand, spend_per_head_gbp, log_population, log_spend_per_head``.
    left_out : pandas.DataFrame
        Councils not used and why (see :func:`estimation_frame`).
    result : statsmodels RegressionResults
        The OLS fit with HC3 covariance and t-based inference.
    dropped_controls : tuple of str
        Control columns dropped because they were collinear with others.
    level : float
        Confidence level of the interval, e.g. 0.95.
    """

    service: str
    year: str
    classes: tuple[str, ...]
    data: pd.DataFrame = field(repr=False)
    left_out: pd.DataFrame = field(repr=False)
    result: object = field(repr=False)
    dropped_controls: tuple[str, ...] = ()
    level: float = 0.95

    @property
    def elasticity(self) -> float:
        """Elasticity of spending per head with respect to population (dimensionless)."""
        return float(self.result.params[POPULATION_TERM])

    @property
    def se_hc3(self) -> float:
        """HC3 standard error of the elasticity."""
        return float(self.result.bse[POPULATION_TERM])

    @property
    def ci(self) -> tuple[float, float]:
        """``(low, high)`` confidence interval of the elasticity at :attr:`level`."""
        low, high = self.result.conf_int(alpha=1 - self.level).loc[POPULATION_TERM]
        return float(low), float(high)


@dataclass(frozen=True)
class PoolingSaving:
    """Predicted saving from pooling one service across councils (see :func:`pooling_saving`).

    Money is £ thousand per year in the prices of the spending given; a positive saving is
    lower spending. Percentages are of the councils' combined spend on the service.
    """

    combined_spend_gbp_thousand: float
    pooled_spend_gbp_thousand: float
    saving_gbp_thousand: float
    saving_low_gbp_thousand: float
    saving_high_gbp_thousand: float
    saving_by_council_gbp_thousand: tuple[float, ...]

    @property
    def saving_pct_of_combined_spend(self) -> float:
        """Saving as a percentage of the combined spend on the service."""
        return _pct(self.saving_gbp_thousand, self.combined_spend_gbp_thousand)

    @property
    def saving_pct_low(self) -> float:
        """Low end of the interval, % of combined spend on the service."""
        return _pct(self.saving_low_gbp_thousand, self.combined_spend_gbp_thousand)

    @property
    def saving_pct_high(self) -> float:
        """High end of the interval, % of combined spend on the service."""
        return _pct(self.saving_high_gbp_thousand, self.combined_spend_gbp_thousand)


def _pct(part: float, whole: float) -> float:
    return float(100.0 * part / whole) if whole else float("nan")


# --------------------------------------------------------------------------- inputs


def _check_columns(frame: pd.DataFrame, needed: Iterable[str], what: str) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise DataError(f"{what}: missing column(s) {', '.join(missing)} (need {', '.join(needed)})")


def service_classes(service: str, classes: Sequence[str] | None = None) -> tuple[str, ...]:
    """The council classes a service's model is fitted on.

    Parameters
    ----------
    service : str
        A service slug (see ``SERVICE_CLASSES``).
    classes : sequence of str, optional
        Override; each must be a principal class (SC, SD, UA, MD, L).

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> service_classes("adult_social_care")
    ('SC', 'UA', 'MD', 'L')
    >>> service_classes("police")
    Traceback (most recent call last):
    ...
    sharedservices.errors.InputError: service: 'police' has no default classes (allowed: ...; or pass classes)
    """
    if classes is not None:
        chosen = tuple(dict.fromkeys(str(c) for c in classes))
        bad = [c for c in chosen if c not in PRINCIPAL_CLASSES]
        if bad or not chosen:
            raise InputError(
                f"classes: {list(classes)!r} is not allowed (allowed: a non-empty subset of "
                f"{', '.join(PRINCIPAL_CLASSES)})"
            )
        return chosen
    if service not in SERVICE_CLASSES:
        raise InputError(
            f"service: {service!r} has no default classes (allowed: "
            f"{', '.join(SERVICE_CLASSES)}; or pass classes)"
        )
    return SERVICE_CLASSES[service]


def estimation_frame(
    councils: pd.DataFrame,
    spending: pd.DataFrame,
    service: str,
    year: str,
    *,
    classes: Sequence[str] | None = None,
    exclude_sui_generis: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Councils usable for one service's scale model, and those left out with reasons.

    Parameters
    ----------
    councils : pandas.DataFrame
        The councils table (``sharedservices.data.councils()``): ``ecode, ons_code, name,
        class, region, population_2011, population_source, principal``.
    spending : pandas.DataFrame
        The long spending table: ``ecode, year, service, gbp_thousand`` (£ thousand cash).
    service : str
        Service slug.
    year : str
        Financial year, '2011-12' style.
    classes : sequence of str, optional
        Classes to fit on; default ``SERVICE_CLASSES[service]``.
    exclude_sui_generis : bool
        Leave out the City of London and the Isles of Scilly (default True).

    Returns
    -------
    used : pandas.DataFrame
        ``ecode, name, class, region, population, spend_gbp_thousand,
        spend_per_head_gbp, log_population, log_spend_per_head``.
    left_out : pandas.DataFrame
        ``service, year, ecode, name, class, reason_code, reason, by_design`` (``by_design``
        is True for councils outside the model's classes or not principal).

    Examples
    --------
    >>> councils = pd.DataFrame({
    ...     "ecode": ["E1", "E2", "E3"], "ons_code": ["X1", "X2", "X3"],
    ...     "name": ["A", "B", "Fire"], "class": ["UA", "UA", "O"],
    ...     "region": ["North", "North", "North"], "population_2011": [1e5, None, None],
    ...     "population_source": ["census", "merged after 2011", "none"],
    ...     "principal": [True, True, False]})
    >>> spending = pd.DataFrame({"ecode": ["E1", "E2"], "year": "2011-12",
    ...     "service": "central", "gbp_thousand": [5000.0, 4000.0]})
    >>> used, left_out = estimation_frame(councils, spending, "central", "2011-12")
    >>> used[["ecode", "spend_per_head_gbp"]]
      ecode  spend_per_head_gbp
    0    E1                50.0
    >>> left_out[["ecode", "reason_code"]]
      ecode    reason_code
    0    E2  no_population
    1    E3  not_principal
    """
    _check_columns(
        councils,
        ["ecode", "ons_code", "name", "class", "region", "population_2011", "population_source", "principal"],
        "councils",
    )
    _check_columns(spending, ["ecode", "year", "service", "gbp_thousand"], "spending")
    chosen = service_classes(service, classes)
    in_year = spending[spending["year"] == year]
    if in_year.empty:
        years = sorted(spending["year"].dropna().unique().tolist())
        raise InputError(f"year: {year!r} is not in the spending table (allowed: {', '.join(map(str, years))})")
    rows = in_year[in_year["service"] == service]
    if rows.empty:
        services = sorted(in_year["service"].dropna().unique().tolist())
        raise InputError(
            f"service: {service!r} has no spending in {year} (allowed: {', '.join(map(str, services))})"
        )
    if rows["ecode"].duplicated().any():
        dup = rows.loc[rows["ecode"].duplicated(), "ecode"].iloc[0]
        raise DataError(f"spending: duplicate row for ecode {dup!r}, {year}, {service}")
    spend = rows.set_index("ecode")["gbp_thousand"].astype("float64")

    frame = councils.copy()
    frame["population"] = pd.to_numeric(frame["population_2011"], errors="coerce").astype("float64")
    frame["spend_gbp_thousand"] = frame["ecode"].map(spend).astype("float64")
    has_row = frame["ecode"].isin(spend.index)
    sui = frame["ons_code"].astype("string").isin(list(SUI_GENERIS_ONS)) if exclude_sui_generis else False

    conditions = [
        ("not_principal", ~frame["principal"].astype(bool)),
        ("class_not_in_model", ~frame["class"].isin(chosen)),
        ("sui_generis", pd.Series(sui, index=frame.index)),
        ("no_population", ~(frame["population"] > 0)),
        ("no_spending", ~has_row),
        ("spending_missing", frame["spend_gbp_thousand"].isna()),
        ("non_positive_spending", ~(frame["spend_gbp_thousand"] > 0)),
    ]
    code = pd.Series(pd.NA, index=frame.index, dtype="object")
    for name, mask in reversed(conditions):  # earliest reason wins
        code = code.mask(mask.fillna(True).astype(bool), name)
    frame["reason_code"] = code

    used = frame[frame["reason_code"].isna()].copy()
    used["spend_per_head_gbp"] = used["spend_gbp_thousand"] * 1000.0 / used["population"]
    used["log_population"] = np.log(used["population"])
    used["log_spend_per_head"] = np.log(used["spend_per_head_gbp"])
    used = used[
        ["ecode", "name", "class", "region", "population", "spend_gbp_thousand",
         "spend_per_head_gbp", "log_population", "log_spend_per_head"]
    ].reset_index(drop=True)

    out = frame[frame["reason_code"].notna()]
    reasons = [
        _REASONS[r].format(
            cls=c,
            classes=", ".join(chosen),
            detail=SUI_GENERIS_ONS.get(str(o), "") if r == "sui_generis" else str(src),
            year=year,
            value=v if pd.notna(v) else float("nan"),
        )
        for r, c, o, src, v in zip(
            out["reason_code"], out["class"], out["ons_code"], out["population_source"],
            out["spend_gbp_thousand"], strict=True,
        )
    ]
    left_out = pd.DataFrame({
        "service": service,
        "year": year,
        "ecode": out["ecode"].to_numpy(),
        "name": out["name"].to_numpy(),
        "class": out["class"].to_numpy(),
        "reason_code": out["reason_code"].astype(str).to_numpy(),
        "reason": reasons,
        "by_design": out["reason_code"].isin(list(_BY_DESIGN)).to_numpy(),
    }, columns=_LEFT_OUT_COLUMNS)
    return used, left_out


# --------------------------------------------------------------------------- fitting


def _independent_columns(exog: pd.DataFrame, first: Sequence[str]) -> list[str]:
    """Columns of ``exog`` kept greedily (``first`` first) while each raises the rank."""
    order = [c for c in first if c in exog.columns] + [c for c in exog.columns if c not in first]
    kept: list[str] = []
    rank = 0
    for col in order:
        trial = kept + [col]
        r = np.linalg.matrix_rank(exog[trial].to_numpy(dtype="float64"))
        if r > rank:
            kept, rank = trial, r
    return [c for c in exog.columns if c in kept]


def _with_reference_levels(frame: pd.DataFrame) -> pd.DataFrame:
    """Order the class and region categories so the reference level comes first.

    The reference class is the most frequent class; the reference region the most frequent
    region among councils whose class spans more than one region. London boroughs (one class,
    one region) therefore never provide the reference, and the redundant dummy dropped is
    the London region's, not an arbitrary one.
    """
    out = frame.copy()
    classes = out["council_class"].astype(str)
    class_order = classes.value_counts().sort_index().sort_values(ascending=False, kind="stable").index.tolist()
    out["council_class"] = pd.Categorical(classes, categories=class_order)
    regions = out["region"].astype(str)
    spread = out.groupby(classes)["region"].transform("nunique") > 1
    counts = regions[spread].value_counts() if spread.any() else regions.value_counts()
    reference = counts.sort_index().sort_values(ascending=False, kind="stable").index[0]
    region_order = [reference] + sorted(r for r in regions.unique() if r != reference)
    out["region"] = pd.Categorical(regions, categories=region_order)
    return out


def fit_service(
    councils: pd.DataFrame,
    spending: pd.DataFrame,
    service: str,
    year: str,
    *,
    classes: Sequence[str] | None = None,
    controls: Sequence[str] = ("class", "region"),
    level: float = 0.95,
    exclude_sui_generis: bool = True,
) -> ServiceFit:
    """Fit log spending per head on log population for one service (OLS, HC3 errors).

    Parameters
    ----------
    councils, spending : pandas.DataFrame
        The councils and long spending tables (see :func:`estimation_frame`).
    service : str
        Service slug, e.g. ``"central"``.
    year : str
        Financial year of the spending, '2011-12' style (population is always the 2011
        census).
    classes : sequence of str, optional
        Classes to fit on; default ``SERVICE_CLASSES[service]``.
    controls : sequence of str
        Categorical controls entered as fixed effects: any of ``"class"``, ``"region"``.
    level : float
        Confidence level of the interval, in (0, 1).
    exclude_sui_generis : bool
        Leave out the City of London and the Isles of Scilly.

    Returns
    -------
    ServiceFit
        With ``elasticity`` (dimensionless; negative = spending per head falls with
        size), ``se_hc3`` and ``ci``.

    Raises
    ------
    InputError
        For an unknown service, year, class, control or level.
    DataError
        When fewer councils remain than parameters to estimate plus one, or when the
        controls fit a council exactly (leverage 1, e.g. the only council of its region),
        which leaves its HC3 error undefined.

    Examples
    --------
    Spending per head exactly proportional to population to the power -0.2:

    >>> pops = np.array([1, 2, 4, 8, 3, 6, 12, 24]) * 1e4
    >>> councils = pd.DataFrame({
    ...     "ecode": [f"E{i}" for i in range(8)], "ons_code": [f"X{i}" for i in range(8)],
    ...     "name": list("ABCDEFGH"), "class": ["SD"] * 4 + ["UA"] * 4,
    ...     "region": ["North", "South"] * 4, "population_2011": pops,
    ...     "population_source": "census", "principal": True})
    >>> spending = pd.DataFrame({"ecode": councils["ecode"], "year": "2011-12",
    ...     "service": "central", "gbp_thousand": 0.05 * pops ** 0.8})
    >>> fit = fit_service(councils, spending, "central", "2011-12")
    >>> round(fit.elasticity, 6), len(fit.data)
    (-0.2, 8)
    """
    if not 0 < level < 1:
        raise InputError(f"level: {level!r} is not a confidence level (allowed: strictly between 0 and 1)")
    bad = [c for c in controls if c not in ("class", "region")]
    if bad:
        raise InputError(f"controls: {bad!r} not allowed (allowed: 'class', 'region')")
    chosen = service_classes(service, classes)
    used, left_out = estimation_frame(
        councils, spending, service, year, classes=chosen, exclude_sui_generis=exclude_sui_generis
    )
    model_frame = _with_reference_levels(used.rename(columns={"class": "council_class"}))
    terms = [POPULATION_TERM] + [
        "C(council_class)" if c == "class" else "C(region)" for c in dict.fromkeys(controls)
    ]
    formula = "log_spend_per_head ~ " + " + ".join(terms)
    if len(model_frame) < 3:
        raise DataError(
            f"{service} {year}: {len(model_frame)} councils usable (need at least 3 to fit a slope); "
            "see the left-out list"
        )
    model = smf.ols(formula, data=model_frame)
    exog = pd.DataFrame(model.exog, columns=model.exog_names, index=model_frame.index)
    kept = _independent_columns(exog, [POPULATION_TERM, "Intercept"])
    if POPULATION_TERM not in kept:
        raise DataError(f"{service} {year}: population does not vary among the councils used")
    dropped = tuple(c for c in exog.columns if c not in kept)
    if len(model_frame) <= len(kept):
        raise DataError(
            f"{service} {year}: {len(model_frame)} councils usable for {len(kept)} parameters "
            "(need more councils than parameters)"
        )
    result = sm.OLS(model_frame["log_spend_per_head"], exog[kept]).fit(cov_type="HC3", use_t=True)
    leverage = result.get_influence().hat_matrix_diag
    exact = model_frame.loc[leverage > 1 - 1e-9, "ecode"].tolist()
    if exact:
        raise DataError(
            f"{service} {year}: the controls fit {', '.join(map(str, exact))} exactly (leverage 1), "
            "so HC3 errors are undefined (allowed: drop a control, or add councils of that class/region)"
        )
    return ServiceFit(
        service=service,
        year=year,
        classes=chosen,
        data=used,
        left_out=left_out,
        result=result,
        dropped_controls=dropped,
        level=level,
    )


def fit_services(
    councils: pd.DataFrame,
    spending: pd.DataFrame,
    year: str,
    services: Sequence[str] | None = None,
    *,
    level: float = 0.95,
    exclude_sui_generis: bool = True,
) -> dict[str, ServiceFit]:
    """Fit :func:`fit_service` for several services of one year.

    Parameters
    ----------
    councils, spending : pandas.DataFrame
        As for :func:`fit_service`.
    year : str
        Financial year, '2011-12' style.
    services : sequence of str, optional
        Default: every service in ``SERVICE_CLASSES`` that has spending rows in ``year``
        (so ``social_care`` in 2010-11, the children's and adult lines from 2011-12,
        public health from 2013-14).
    level : float
        Confidence level of the intervals.
    exclude_sui_generis : bool
        Leave out the City of London and the Isles of Scilly.

    Returns
    -------
    dict of str to ServiceFit
        In the order of ``services``.

    Examples
    --------
    >>> pops = np.array([1, 2, 4, 8, 3, 6]) * 1e4
    >>> councils = pd.DataFrame({"ecode": list("ABCDEF"), "ons_code": list("abcdef"),
    ...     "name": list("ABCDEF"), "class": "UA", "region": "North",
    ...     "population_2011": pops, "population_source": "census", "principal": True})
    >>> spending = pd.concat([pd.DataFrame({"ecode": councils["ecode"], "year": "2011-12",
    ...     "service": s, "gbp_thousand": pops ** e}) for s, e in
    ...     [("central", 0.9), ("housing", 1.1)]])
    >>> {s: round(f.elasticity, 3) for s, f in fit_services(councils, spending, "2011-12").items()}
    {'housing': 0.1, 'central': -0.1}
    """
    if services is None:
        present = set(spending.loc[spending["year"] == year, "service"].dropna().astype(str))
        services = [s for s in SERVICE_CLASSES if s in present]
    return {
        s: fit_service(
            councils, spending, s, year, level=level, exclude_sui_generis=exclude_sui_generis
        )
        for s in services
    }


def coefficients_by_year(
    councils: pd.DataFrame,
    spending: pd.DataFrame,
    years: Sequence[str],
    services: Sequence[str] | None = None,
    *,
    level: float = 0.95,
) -> pd.DataFrame:
    """The coefficient table for several years, to show how stable the estimates are.

    Population is the 2011 census in every year, so years far from 2011 mix population
    change into the estimate; services missing in a year (e.g. ``social_care`` after
    2010-11) are skipped for that year.

    Parameters
    ----------
    councils, spending : pandas.DataFrame
        As for :func:`fit_service`.
    years : sequence of str
        Financial years, '2011-12' style.
    services : sequence of str, optional
        Default: every service with a default class list present in each year.
    level : float
        Confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        :func:`coefficients` rows for every year, stacked.

    Examples
    --------
    >>> pops = np.array([1, 2, 4, 8, 3, 6]) * 1e4
    >>> councils = pd.DataFrame({"ecode": list("ABCDEF"), "ons_code": list("abcdef"),
    ...     "name": list("ABCDEF"), "class": "UA", "region": "North",
    ...     "population_2011": pops, "population_source": "census", "principal": True})
    >>> spending = pd.concat([pd.DataFrame({"ecode": councils["ecode"], "year": y,
    ...     "service": "central", "gbp_thousand": pops ** e}) for y, e in
    ...     [("2010-11", 0.9), ("2011-12", 0.8)]])
    >>> coefficients_by_year(councils, spending, ["2010-11", "2011-12"])[
    ...     ["year", "elasticity"]].round(3)
          year  elasticity
    0  2010-11        -0.1
    1  2011-12        -0.2
    """
    frames = []
    for year in years:
        present = set(spending.loc[spending["year"] == year, "service"].dropna().astype(str))
        if not present:
            raise InputError(f"year: {year!r} is not in the spending table")
        wanted = [s for s in (services or SERVICE_CLASSES) if s in present]
        frames.append(coefficients(fit_services(councils, spending, year, wanted, level=level)))
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- tidy outputs


def _as_fits(fits: ServiceFit | Mapping[str, ServiceFit] | Iterable[ServiceFit]) -> list[ServiceFit]:
    if isinstance(fits, ServiceFit):
        return [fits]
    if isinstance(fits, Mapping):
        return list(fits.values())
    return list(fits)


def coefficients(fits: ServiceFit | Mapping[str, ServiceFit] | Iterable[ServiceFit]) -> pd.DataFrame:
    """Tidy table of the population elasticity per service.

    Parameters
    ----------
    fits : ServiceFit, or a mapping or iterable of them

    Returns
    -------
    pandas.DataFrame
        One row per service: ``service, year, classes`` (comma-separated), ``n``,
        ``elasticity`` (dimensionless), ``se_hc3``, ``ci_low``, ``ci_high``, ``level``,
        ``p_value``, ``r_squared``, ``n_left_out`` (councils of the model's classes not
        used), ``dropped_controls``.

    Examples
    --------
    >>> pops = np.array([1, 2, 4, 8, 3, 6]) * 1e4
    >>> councils = pd.DataFrame({"ecode": list("ABCDEF"), "ons_code": list("abcdef"),
    ...     "name": list("ABCDEF"), "class": "UA", "region": "North",
    ...     "population_2011": pops, "population_source": "census", "principal": True})
    >>> spending = pd.DataFrame({"ecode": councils["ecode"], "year": "2011-12",
    ...     "service": "central", "gbp_thousand": pops ** 0.9})
    >>> coefficients(fit_service(councils, spending, "central", "2011-12"))[
    ...     ["service", "n", "elasticity", "r_squared"]].round(3)
       service  n  elasticity  r_squared
    0  central  6        -0.1        1.0
    """
    rows = []
    for f in _as_fits(fits):
        low, high = f.ci
        rows.append({
            "service": f.service,
            "year": f.year,
            "classes": ",".join(f.classes),
            "n": int(f.result.nobs),
            "elasticity": f.elasticity,
            "se_hc3": f.se_hc3,
            "ci_low": low,
            "ci_high": high,
            "level": f.level,
            "p_value": float(f.result.pvalues[POPULATION_TERM]),
            "r_squared": float(f.result.rsquared),
            "n_left_out": int((~f.left_out["by_design"]).sum()),
            "dropped_controls": ", ".join(f.dropped_controls),
        })
    return pd.DataFrame(rows)


def left_out(fits: ServiceFit | Mapping[str, ServiceFit] | Iterable[ServiceFit], *, by_design: bool = False) -> pd.DataFrame:
    """Councils left out of the fits, with reasons.

    Parameters
    ----------
    fits : ServiceFit, or a mapping or iterable of them
    by_design : bool
        Also list councils outside a model's classes or not principal (default False:
        only councils the model would have used but could not).

    Returns
    -------
    pandas.DataFrame
        ``service, year, ecode, name, class, reason_code, reason, by_design``.

    Examples
    --------
    >>> pops = np.array([1, 2, 4, 8, np.nan]) * 1e4
    >>> councils = pd.DataFrame({"ecode": list("ABCDE"), "ons_code": list("abcde"),
    ...     "name": list("ABCDE"), "class": "UA", "region": "North", "population_2011": pops,
    ...     "population_source": ["census"] * 4 + ["merged after 2011"], "principal": True})
    >>> spending = pd.DataFrame({"ecode": list("ABCDE"), "year": "2011-12",
    ...     "service": "central", "gbp_thousand": [10.0, 19.0, 35.0, -1.0, 50.0]})
    >>> for row in left_out(fit_service(councils, spending, "central", "2011-12")).itertuples():
    ...     print(row.ecode, row.reason_code, "|", row.reason)
    D non_positive_spending | net spending -1 £ thousand in 2011-12 is not positive (log undefined)
    E no_population | no exact 2011 population: merged after 2011
    """
    frames = [f.left_out for f in _as_fits(fits)]
    if not frames:
        return pd.DataFrame(columns=_LEFT_OUT_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    if not by_design:
        out = out[~out["by_design"]]
    return out.reset_index(drop=True)


def residuals(fit: ServiceFit) -> pd.DataFrame:
    """Fitted values and residuals of one fit, for residual plots.

    Parameters
    ----------
    fit : ServiceFit

    Returns
    -------
    pandas.DataFrame
        The fit's ``data`` columns plus ``fitted`` (log £ per head), ``residual`` (log
        points: actual minus fitted) and ``studentized_residual`` (internally studentized).

    Examples
    --------
    >>> pops = np.array([1, 2, 4, 8, 3, 6]) * 1e4
    >>> councils = pd.DataFrame({"ecode": list("ABCDEF"), "ons_code": list("abcdef"),
    ...     "name": list("ABCDEF"), "class": "UA", "region": "North",
    ...     "population_2011": pops, "population_source": "census", "principal": True})
    >>> spending = pd.DataFrame({"ecode": councils["ecode"], "year": "2011-12",
    ...     "service": "central", "gbp_thousand": pops ** 0.9 * [1, 1.1, 1, 0.9, 1, 1]})
    >>> r = residuals(fit_service(councils, spending, "central", "2011-12"))
    >>> bool(np.allclose(r["fitted"] + r["residual"], r["log_spend_per_head"]))
    True
    """
    out = fit.data.copy()
    out["fitted"] = np.asarray(fit.result.fittedvalues, dtype="float64")
    out["residual"] = np.asarray(fit.result.resid, dtype="float64")
    infl = fit.result.get_influence()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["studentized_residual"] = np.asarray(infl.resid_studentized_internal, dtype="float64")
    return out


def influence(fit: ServiceFit, top: int | None = None) -> pd.DataFrame:
    """Influence measures per council, most influential first.

    Parameters
    ----------
    fit : ServiceFit
    top : int, optional
        Keep only the ``top`` councils by Cook's distance.

    Returns
    -------
    pandas.DataFrame
        ``ecode, name, class, region, population, cooks_distance, leverage`` (hat value),
        ``studentized_residual``, ``influential`` (Cook's distance above the conventional
        4/n), sorted by Cook's distance, descending.

    Examples
    --------
    >>> pops = np.array([1, 2, 4, 8, 3, 6, 5]) * 1e4
    >>> councils = pd.DataFrame({"ecode": list("ABCDEFG"), "ons_code": list("abcdefg"),
    ...     "name": list("ABCDEFG"), "class": "UA", "region": "North",
    ...     "population_2011": pops, "population_source": "census", "principal": True})
    >>> spend = pops ** 0.9 * [1, 1.02, 0.99, 1.6, 1.01, 0.98, 1.0]
    >>> spending = pd.DataFrame({"ecode": councils["ecode"], "year": "2011-12",
    ...     "service": "central", "gbp_thousand": spend})
    >>> influence(fit_service(councils, spending, "central", "2011-12"), top=1)["name"].tolist()
    ['D']
    """
    if top is not None and (not isinstance(top, int) or top < 0):
        raise InputError(f"top: {top!r} is not allowed (allowed: a non-negative integer or None)")
    infl = fit.result.get_influence()
    with np.errstate(divide="ignore", invalid="ignore"):
        cooks = np.asarray(infl.cooks_distance[0], dtype="float64")
        stud = np.asarray(infl.resid_studentized_internal, dtype="float64")
    out = fit.data[["ecode", "name", "class", "region", "population"]].copy()
    out["cooks_distance"] = cooks
    out["leverage"] = np.asarray(infl.hat_matrix_diag, dtype="float64")
    out["studentized_residual"] = stud
    out["influential"] = out["cooks_distance"] > 4.0 / len(out)
    out = out.sort_values("cooks_distance", ascending=False, na_position="first", kind="stable")
    if top is not None:
        out = out.head(top)
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- pooling


def pooled_spend(
    spend_gbp_thousand: Sequence[float] | np.ndarray,
    populations: Sequence[float] | np.ndarray,
    elasticity: float | np.ndarray,
) -> np.ndarray:
    """Predicted spending of each council's part of a pooled service.

    Council *i*'s spending :math:`S_i` moves to :math:`S_i (P/P_i)^b`, with
    :math:`P = \\sum P_i` and :math:`b` the elasticity of spending per head with respect to
    population (spending scales as :math:`P^{1+b}`).

    Parameters
    ----------
    spend_gbp_thousand : array_like
        Each council's current spending on the service, £ thousand per year (positive).
    populations : array_like
        Each council's population (persons, positive), same length.
    elasticity : float or ndarray
        Elasticity :math:`b`; an array broadcasts over a leading axis.

    Returns
    -------
    numpy.ndarray
        Pooled spending by council, £ thousand per year (shape ``(..., k)``).

    Examples
    --------
    >>> pooled_spend([100.0, 100.0], [5e4, 5e4], -0.1).round(3)
    array([93.303, 93.303])
    """
    spend = np.asarray(spend_gbp_thousand, dtype="float64")
    pops = np.asarray(populations, dtype="float64")
    if spend.ndim != 1 or pops.shape != spend.shape or spend.size < 1:
        raise InputError(
            f"populations: {pops.size} value(s) for {spend.size} spending value(s) "
            "(allowed: one positive population per council, at least one council)"
        )
    if not (np.all(np.isfinite(pops)) and np.all(pops > 0)):
        raise InputError(f"populations: {pops.tolist()!r} not allowed (allowed: positive finite numbers)")
    if not (np.all(np.isfinite(spend)) and np.all(spend > 0)):
        raise InputError(
            f"spend_gbp_thousand: {spend.tolist()!r} not allowed (allowed: positive finite £ thousand)"
        )
    b = np.asarray(elasticity, dtype="float64")[..., np.newaxis]
    return spend * (pops.sum() / pops) ** b


def pooling_saving(
    spend_gbp_thousand: Sequence[float] | np.ndarray,
    populations: Sequence[float] | np.ndarray,
    elasticity: float,
    ci: tuple[float, float] | None = None,
) -> PoolingSaving:
    """Predicted annual saving from pooling a service across councils.

    Parameters
    ----------
    spend_gbp_thousand : array_like
        Each council's spending on the service, £ thousand per year.
    populations : array_like
        Each council's population (persons).
    elasticity : float
        Elasticity of spending per head with respect to population (from
        :func:`fit_service`).
    ci : (float, float), optional
        Confidence interval of the elasticity; the saving's interval is the saving at its
        two ends. Default: no interval (both ends equal the central saving).

    Returns
    -------
    PoolingSaving
        Saving in £ thousand per year (positive = lower spending), its interval, each
        council's part, and the same as % of the combined spend on the service.

    Notes
    -----
    An association across councils of different sizes, not a causal effect of sharing.

    Examples
    --------
    Two councils, 100k and 300k residents, spending £100k and £300k, elasticity -0.1
    (interval -0.2 to 0):

    >>> s = pooling_saving([100.0, 300.0], [1e5, 3e5], -0.1, ci=(-0.2, 0.0))
    >>> round(s.saving_gbp_thousand, 2), round(s.saving_pct_of_combined_spend, 2)
    (21.45, 5.36)
    >>> round(s.saving_low_gbp_thousand, 2), round(s.saving_high_gbp_thousand, 2)
    (0.0, 40.99)
    """
    low_b, high_b = (elasticity, elasticity) if ci is None else ci
    if not low_b <= elasticity <= high_b:
        raise InputError(f"ci: {ci!r} does not contain the elasticity {elasticity!r} (allowed: low <= b <= high)")
    spend = np.asarray(spend_gbp_thousand, dtype="float64")
    by_b = pooled_spend(spend, populations, np.array([elasticity, low_b, high_b]))
    savings = spend - by_b
    total = spend.sum()
    # saving falls as b rises (P / P_i >= 1): the interval's low end is at the high b
    return PoolingSaving(
        combined_spend_gbp_thousand=float(total),
        pooled_spend_gbp_thousand=float(by_b[0].sum()),
        saving_gbp_thousand=float(savings[0].sum()),
        saving_low_gbp_thousand=float(savings[2].sum()),
        saving_high_gbp_thousand=float(savings[1].sum()),
        saving_by_council_gbp_thousand=tuple(float(x) for x in savings[0]),
    )


def pooling_saving_share(populations: Sequence[float] | np.ndarray, elasticity: float | np.ndarray) -> np.ndarray:
    """Saving as a fraction of combined spend when spending is exactly :math:`\\propto P^{1+b}`.

    With no council-specific level, pooling populations :math:`P_1..P_k` saves
    :math:`1 - P^{1+b} / \\sum P_i^{1+b}` of the combined spend.

    Parameters
    ----------
    populations : array_like
        Populations of the councils pooled (persons).
    elasticity : float or ndarray
        Elasticity :math:`b` of spending per head with respect to population.

    Returns
    -------
    numpy.ndarray
        Fraction of combined spend saved (0-d for a scalar elasticity).

    Examples
    --------
    Two equal councils at b = -0.1 save 1 - 2^-0.1 of their spend:

    >>> float(pooling_saving_share([1e5, 1e5], -0.1).round(4))
    0.067
    """
    pops = np.asarray(populations, dtype="float64")
    b = np.asarray(elasticity, dtype="float64")
    spend = pops ** (1.0 + b[..., np.newaxis])
    pooled = pops.sum() ** (1.0 + b)
    return 1.0 - pooled / spend.sum(axis=-1)


def pooling_table(
    fits: ServiceFit | Mapping[str, ServiceFit] | Iterable[ServiceFit],
    councils_pooled: Sequence[int] = (2, 3),
    *,
    deflator: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """What each service's estimate implies for pooling it across k councils of typical size.

    For k councils of equal size the saving is :math:`1 - k^{b}` of their combined spend,
    whatever the size (see :func:`pooling_saving_share`); the interval is the same at the
    ends of the elasticity's confidence interval. The £ figure applies it to k councils
    each spending the median of the councils in the fit.

    Parameters
    ----------
    fits : ServiceFit, or a mapping or iterable of them
    councils_pooled : sequence of int
        Numbers of councils pooling the service (each at least 2).
    deflator : mapping of str to float, optional
        GDP deflator index by year for the £ figures; default ``prices.gdp_deflator``.

    Returns
    -------
    pandas.DataFrame
        ``service, councils_pooled, elasticity, saving_pct, saving_pct_low,
        saving_pct_high`` (% of combined spend on the service),
        ``median_spend_gbp_thousand`` (one council, real 2010-11 prices) and
        ``saving_gbp_thousand`` with ``_low``/``_high`` (for the k councils, £ thousand a
        year, real 2010-11 prices).

    Examples
    --------
    >>> pops = np.array([1, 2, 4, 8, 3, 6]) * 1e4
    >>> councils = pd.DataFrame({"ecode": list("ABCDEF"), "ons_code": list("abcdef"),
    ...     "name": list("ABCDEF"), "class": "UA", "region": "North",
    ...     "population_2011": pops, "population_source": "census", "principal": True})
    >>> spending = pd.DataFrame({"ecode": councils["ecode"], "year": "2010-11",
    ...     "service": "central", "gbp_thousand": pops ** 0.9})
    >>> table = pooling_table(fit_service(councils, spending, "central", "2010-11"))
    >>> table[["councils_pooled", "saving_pct"]].round(2)
       councils_pooled  saving_pct
    0                2        6.70
    1                3       10.40
    """
    ks = [int(k) for k in councils_pooled]
    if not ks or any(k < 2 or k != kk for k, kk in zip(ks, councils_pooled, strict=True)):
        raise InputError(
            f"councils_pooled: {list(councils_pooled)!r} is not allowed (allowed: whole numbers of at least 2)"
        )
    from sharedservices import cuts

    if deflator is None:
        from sharedservices import assumptions

        deflator = {str(k): float(v) for k, v in assumptions.value("prices.gdp_deflator").items()}
    rows = []
    for f in _as_fits(fits):
        low_b, high_b = f.ci
        median = float(cuts.deflate([f.data["spend_gbp_thousand"].median()], [f.year], deflator)[0])
        for k in ks:
            share = 1.0 - k ** np.array([f.elasticity, high_b, low_b])
            rows.append({
                "service": f.service,
                "councils_pooled": k,
                "elasticity": f.elasticity,
                "saving_pct": 100.0 * share[0],
                "saving_pct_low": 100.0 * share[1],
                "saving_pct_high": 100.0 * share[2],
                "median_spend_gbp_thousand": median,
                "saving_gbp_thousand": k * median * share[0],
                "saving_low_gbp_thousand": k * median * share[1],
                "saving_high_gbp_thousand": k * median * share[2],
            })
    return pd.DataFrame(rows)
