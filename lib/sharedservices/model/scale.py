"""Economies of scale across English councils, and what they imply for pooling services.

For each service line and one financial year this module fits, by ordinary least squares,

.. math::

    \\log(s_i) = a + b\\,\\log(P_i) + \\text{class}_i + \\text{region}_i + e_i

where :math:`s_i` is council *i*'s net current expenditure on the service per resident
(£ per head, cash prices of the chosen year) and :math:`P_i` its 2011 census population.
:math:`b` is the **elasticity of spending per head with respect to population**: a 1 %
larger population goes with :math:`b` % different spending per head (negative = economies
of scale). Intervals use the t distribution.

Controls, slopes and standard errors (``fit_service`` keywords)
---------------------------------------------------------------
* ``controls``: ``class`` and ``region`` fixed effects (the default), and, from
  :func:`sharedservices.inputs.data.geography`, ``density`` (log of residents per km²: 2011
  census over the council's area) and ``deprivation`` (the IMD 2010 average score, 0-100).
  A council without the value a control needs is left out with a reason
  (``no_area``, ``no_deprivation``), never silently.
* ``slopes="by_class"`` gives each class its own elasticity (class-specific slopes on
  log population, one model: the fixed effects and control slopes are shared), so that a
  slope is reported for shire counties too, which are too few to fit on their own with
  region effects. ``slopes="common"`` (the default) is one slope for all classes.
* ``covariance="cluster"`` clusters the errors by **county area**: a shire county and the
  districts inside it form one cluster (their residents are counted twice, once by the
  county and once by a district, and share the county's conditions); every other council
  is its own cluster. Cluster-robust (CR1) errors with the t distribution on
  (clusters - 1) degrees of freedom. ``covariance="HC3"`` (the default) treats the
  councils as independent, with heteroskedasticity-robust errors.

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
(a not-available marker), ``non_positive_spending`` (zero or negative net spend: its
log is undefined), and, when a control needs it, ``no_area`` or ``no_deprivation`` (no
value in the geography table; its reason is quoted).

Pooling
-------
Under the fitted relation, spending on a service scales as :math:`P^{1+b}`. When councils
1..k pool a service, each keeps its own spending level (its residual and controls) but is
moved to the combined population :math:`P = \\sum P_i`:

.. math::

    S_{\\text{pooled}} = \\sum_i S_i\\,(P / P_i)^{b}, \\qquad
    \\text{saving} = \\sum_i S_i - S_{\\text{pooled}}

in £ thousand per year (the units of :math:`S_i`), positive = lower spending. With
class-specific slopes each council moves along its own class's curve (:math:`b_i`, the
slope of its class). The interval comes from evaluating the same formula at the ends of
the coefficients' confidence intervals (the saving falls as any :math:`b_i` rises; the
ends are taken together, which is conservative), so it covers the uncertainty of the
elasticities only, not council-specific variation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf

from sharedservices.errors import DataError, InputError
from sharedservices.model import cited, cuts

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
#: Controls ``fit_service`` accepts; the last two need the geography table.
CONTROLS: tuple[str, ...] = ("class", "region", "density", "deprivation")
#: The report's preferred controls (everything the public data allow).
ALL_CONTROLS: tuple[str, ...] = CONTROLS
SLOPES: tuple[str, ...] = ("common", "by_class")
COVARIANCES: tuple[str, ...] = ("HC3", "cluster")
_CONTROL_COLUMNS = {"density": "log_density", "deprivation": "imd2010_score"}


def class_term(cls: str) -> str:
    """Name of the class-specific slope term of ``cls`` in a ``by_class`` fit.

    Examples
    --------
    >>> class_term("SD")
    'log_population[SD]'
    """
    return f"{POPULATION_TERM}[{cls}]"

_REASONS: dict[str, str] = {
    "not_principal": "not a principal council (class {cls})",
    "class_not_in_model": "class {cls} does not provide all of this service (model uses {classes})",
    "sui_generis": "sui generis authority: {detail}",
    "no_population": "no exact 2011 population: {detail}",
    "no_spending": "no spending row for {year}",
    "spending_missing": "spending not available for {year} (marked missing in the data)",
    "non_positive_spending": "net spending {value:,.0f} £ thousand in {year} is not positive (log undefined)",
    "no_area": "no area for the density control: {detail}",
    "no_deprivation": "no IMD 2010 score for the deprivation control: {detail}",
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
    controls : tuple of str
        Controls of the model (see ``CONTROLS``).
    slopes : str
        ``"common"`` or ``"by_class"``.
    covariance : str
        ``"HC3"`` or ``"cluster"`` (by county area).
    n_clusters : int
        Number of clusters (the number of councils under HC3).
    """

    service: str
    year: str
    classes: tuple[str, ...]
    data: pd.DataFrame = field(repr=False)
    left_out: pd.DataFrame = field(repr=False)
    result: Any = field(repr=False)  # a statsmodels results object (untyped)
    dropped_controls: tuple[str, ...] = ()
    level: float = 0.95
    controls: tuple[str, ...] = ("class", "region")
    slopes: str = "common"
    covariance: str = "HC3"
    n_clusters: int = 0

    def _term(self, cls: str | None) -> str:
        if self.slopes == "common":
            if cls is not None:
                raise InputError(f"cls: {cls!r} given for a common-slope fit (allowed: None)")
            return POPULATION_TERM
        if cls not in self.slope_classes:
            raise InputError(f"cls: {cls!r} has no slope in the {self.service} fit (allowed: "
                             f"{', '.join(self.slope_classes)})")
        return class_term(str(cls))

    @property
    def slope_classes(self) -> tuple[str, ...]:
        """Classes with their own slope (``by_class``), in the order of ``classes``."""
        if self.slopes == "common":
            return ()
        return tuple(c for c in self.classes if class_term(c) in self.result.params.index)

    def coef(self, cls: str | None = None) -> float:
        """Elasticity (dimensionless): the common one, or class ``cls``'s in a ``by_class`` fit."""
        return float(self.result.params[self._term(cls)])

    def se(self, cls: str | None = None) -> float:
        """Standard error of :meth:`coef` (HC3 or cluster-robust, as fitted)."""
        return float(self.result.bse[self._term(cls)])

    def interval(self, cls: str | None = None) -> tuple[float, float]:
        """``(low, high)`` confidence interval of :meth:`coef` at :attr:`level`."""
        low, high = self.result.conf_int(alpha=1 - self.level).loc[self._term(cls)]
        return float(low), float(high)

    def p_value(self, cls: str | None = None) -> float:
        """Two-sided p-value of :meth:`coef` against 0."""
        return float(self.result.pvalues[self._term(cls)])

    @property
    def elasticity(self) -> float:
        """Elasticity of spending per head with respect to population (dimensionless;
        common-slope fits)."""
        return self.coef()

    @property
    def se_hc3(self) -> float:
        """Standard error of the elasticity (kept name: HC3, or cluster-robust when fitted so)."""
        return self.se()

    @property
    def ci(self) -> tuple[float, float]:
        """``(low, high)`` confidence interval of the elasticity at :attr:`level`."""
        return self.interval()


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
    geography: pd.DataFrame | None = None,
    controls: Sequence[str] = (),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Councils usable for one service's scale model, and those left out with reasons.

    Parameters
    ----------
    councils : pandas.DataFrame
        The councils table (``sharedservices.inputs.data.councils()``): ``ecode, ons_code, name,
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
    geography : pandas.DataFrame, optional
        :func:`sharedservices.inputs.data.geography` (``ecode, area_km2, imd2010_score`` and the
        ``*_basis`` columns); needed for the ``density`` and ``deprivation`` controls.
    controls : sequence of str
        The model's controls: a council without the value a control needs is left out
        (``no_area``, ``no_deprivation``).

    Returns
    -------
    used : pandas.DataFrame
        ``ecode, name, class, region, population, spend_gbp_thousand,
        spend_per_head_gbp, log_population, log_spend_per_head``, ``cluster`` (the county
        area: the county's ecode for a shire county and its districts, else the
        council's own) and, with a geography table, ``area_km2, log_density,
        imd2010_score``.
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
    frame["cluster"] = _county_areas(frame)
    geo_cols: list[str] = []
    if geography is not None:
        _check_columns(geography, ["ecode", "area_km2", "imd2010_score", "geography_basis",
                                   "deprivation_basis"], "geography")
        geo = geography.drop_duplicates("ecode").set_index("ecode")
        frame["area_km2"] = frame["ecode"].map(geo["area_km2"]).astype("float64")
        frame["imd2010_score"] = frame["ecode"].map(geo["imd2010_score"]).astype("float64")
        frame["_area_why"] = frame["ecode"].map(geo["geography_basis"]).fillna("no row in the geography table")
        frame["_dep_why"] = frame["ecode"].map(geo["deprivation_basis"]).fillna("no row in the geography table")
        with np.errstate(divide="ignore", invalid="ignore"):
            frame["log_density"] = np.log(frame["population"] / frame["area_km2"])
        geo_cols = ["area_km2", "log_density", "imd2010_score"]
    elif any(c in _CONTROL_COLUMNS for c in controls):
        raise InputError(f"geography: none given for controls {list(controls)!r} (allowed: the "
                         "sharedservices.inputs.data.geography() table, or only the controls 'class', 'region')")

    conditions = [
        ("not_principal", ~frame["principal"].astype(bool)),
        ("class_not_in_model", ~frame["class"].isin(chosen)),
        ("sui_generis", pd.Series(sui, index=frame.index)),
        ("no_population", ~(frame["population"] > 0)),
        ("no_spending", ~has_row),
        ("spending_missing", frame["spend_gbp_thousand"].isna()),
        ("non_positive_spending", ~(frame["spend_gbp_thousand"] > 0)),
    ]
    if "density" in controls:
        conditions.append(("no_area", ~(frame["area_km2"] > 0)))
    if "deprivation" in controls:
        conditions.append(("no_deprivation", frame["imd2010_score"].isna()))
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
         "spend_per_head_gbp", "log_population", "log_spend_per_head", "cluster", *geo_cols]
    ].reset_index(drop=True)

    out = frame[frame["reason_code"].notna()]
    area_why = out["_area_why"] if "_area_why" in out else pd.Series("", index=out.index)
    dep_why = out["_dep_why"] if "_dep_why" in out else pd.Series("", index=out.index)
    details = [
        SUI_GENERIS_ONS.get(str(o), "") if r == "sui_generis" else str(aw) if r == "no_area"
        else str(dw) if r == "no_deprivation" else str(src)
        for r, o, src, aw, dw in zip(out["reason_code"], out["ons_code"], out["population_source"],
                                     area_why, dep_why, strict=True)
    ]
    reasons = [
        _REASONS[r].format(
            cls=c,
            classes=", ".join(chosen),
            detail=d,
            year=year,
            value=v if pd.notna(v) else float("nan"),
        )
        for r, c, d, v in zip(out["reason_code"], out["class"], details, out["spend_gbp_thousand"], strict=True)
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


def _county_areas(frame: pd.DataFrame) -> pd.Series:
    """Cluster of each council: its county's ecode for a shire county and its districts
    (matched by the districts' ``county`` name), else its own ecode."""
    cluster = frame["ecode"].astype(str).copy()
    if "county" not in frame.columns:
        return cluster
    counties = frame[frame["class"] == "SC"]
    by_name = dict(zip(counties["name"].astype(str), counties["ecode"].astype(str), strict=True))
    county = frame["county"].astype("string")
    is_district = (frame["class"] == "SD") & county.isin(list(by_name)).fillna(False).astype(bool)
    cluster[is_district] = county[is_district].map(by_name).astype(str)
    return cluster


def county_areas(councils: pd.DataFrame) -> pd.DataFrame:
    """Which councils share residents: each council's county area (the cluster of the fits).

    Parameters
    ----------
    councils : pandas.DataFrame
        The councils table (``ecode, name, class, county``).

    Returns
    -------
    pandas.DataFrame
        ``ecode, cluster``: the county's ecode for a shire county and the districts inside
        it (whose residents it also serves), else the council's own ecode.

    Examples
    --------
    >>> c = pd.DataFrame({"ecode": ["E1", "E2", "E3"], "name": ["Shire CC", "A", "Town UA"],
    ...     "class": ["SC", "SD", "UA"], "county": [None, "Shire CC", None]})
    >>> county_areas(c)["cluster"].tolist()
    ['E1', 'E1', 'E3']
    """
    _check_columns(councils, ["ecode", "name", "class"], "councils")
    return pd.DataFrame({"ecode": councils["ecode"].to_numpy(), "cluster": _county_areas(councils).to_numpy()})


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
    geography: pd.DataFrame | None = None,
    slopes: str = "common",
    covariance: str = "HC3",
) -> ServiceFit:
    """Fit log spending per head on log population for one service (OLS).

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
        Any of ``CONTROLS``: ``"class"`` and ``"region"`` fixed effects, ``"density"``
        (log residents per km²) and ``"deprivation"`` (IMD 2010 score), the last two
        from ``geography``.
    level : float
        Confidence level of the interval, in (0, 1).
    exclude_sui_generis : bool
        Leave out the City of London and the Isles of Scilly.
    geography : pandas.DataFrame, optional
        :func:`sharedservices.inputs.data.geography`, needed for ``density`` and ``deprivation``.
    slopes : {"common", "by_class"}
        One elasticity for all classes, or one per class (see the module docstring).
    covariance : {"HC3", "cluster"}
        Heteroskedasticity-robust errors, or errors clustered by county area.

    Returns
    -------
    ServiceFit
        With ``elasticity`` (dimensionless; negative = spending per head falls with
        size), ``se_hc3`` and ``ci`` for a common slope; :meth:`ServiceFit.coef` and
        :meth:`ServiceFit.interval` per class for ``by_class``.

    Raises
    ------
    InputError
        For an unknown service, year, class, control, slope, covariance or level.
    DataError
        When fewer councils remain than parameters to estimate plus one, when a class's
        slope cannot be estimated (population does not vary within it), or, under HC3,
        when the controls fit a council exactly (leverage 1, e.g. the only council of its
        region), which leaves its HC3 error undefined.

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

    Districts at -0.3 and unitaries at -0.1, one slope each:

    >>> spending["gbp_thousand"] = 0.05 * pops ** np.where(councils["class"] == "SD", 0.7, 0.9)
    >>> fit = fit_service(councils, spending, "central", "2011-12", slopes="by_class")
    >>> round(fit.coef("SD"), 6), round(fit.coef("UA"), 6)
    (-0.3, -0.1)
    """
    if not 0 < level < 1:
        raise InputError(f"level: {level!r} is not a confidence level (allowed: strictly between 0 and 1)")
    bad = [c for c in controls if c not in CONTROLS]
    if bad:
        raise InputError(f"controls: {bad!r} not allowed (allowed: {', '.join(repr(c) for c in CONTROLS)})")
    if slopes not in SLOPES:
        raise InputError(f"slopes: {slopes!r} not allowed (allowed: {', '.join(SLOPES)})")
    if covariance not in COVARIANCES:
        raise InputError(f"covariance: {covariance!r} not allowed (allowed: {', '.join(COVARIANCES)})")
    controls = tuple(dict.fromkeys(controls))
    chosen = service_classes(service, classes)
    used, left_out = estimation_frame(
        councils, spending, service, year, classes=chosen, exclude_sui_generis=exclude_sui_generis,
        geography=geography, controls=controls,
    )
    if len(used) < 3:
        raise DataError(
            f"{service} {year}: {len(used)} councils usable (need at least 3 to fit a slope); "
            "see the left-out list"
        )
    model_frame = _with_reference_levels(used.rename(columns={"class": "council_class"}))
    terms = {"class": "C(council_class)", "region": "C(region)", **_CONTROL_COLUMNS}
    rhs = " + ".join(terms[c] for c in controls) or "1"
    model = smf.ols("log_spend_per_head ~ " + rhs, data=model_frame)
    exog = pd.DataFrame(model.exog, columns=model.exog_names, index=model_frame.index)
    if slopes == "common":
        slope_terms = [POPULATION_TERM]
        exog.insert(0, POPULATION_TERM, model_frame["log_population"].to_numpy())
    else:
        present = [c for c in chosen if (model_frame["council_class"] == c).any()]
        slope_terms = [class_term(c) for c in present]
        for i, cls in enumerate(present):
            exog.insert(i, class_term(cls),
                        model_frame["log_population"].to_numpy() * (model_frame["council_class"] == cls).to_numpy())
    kept = _independent_columns(exog, [*slope_terms, "Intercept"])
    lost = [t for t in slope_terms if t not in kept]
    if lost:
        raise DataError(f"{service} {year}: population does not vary enough to estimate "
                        f"{', '.join(lost)} among the councils used")
    dropped = tuple(c for c in exog.columns if c not in kept)
    if len(model_frame) <= len(kept):
        raise DataError(
            f"{service} {year}: {len(model_frame)} councils usable for {len(kept)} parameters "
            "(need more councils than parameters)"
        )
    y = model_frame["log_spend_per_head"]
    groups = pd.factorize(model_frame["cluster"])[0]
    if covariance == "cluster":
        result = sm.OLS(y, exog[kept]).fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    else:
        result = sm.OLS(y, exog[kept]).fit(cov_type="HC3", use_t=True)
        leverage = result.get_influence().hat_matrix_diag
        exact = model_frame.loc[leverage > 1 - 1e-9, "ecode"].tolist()
        if exact:
            raise DataError(
                f"{service} {year}: the controls fit {', '.join(map(str, exact))} exactly (leverage 1), "
                "so HC3 errors are undefined (allowed: drop a control, add councils of that class/region, "
                "or covariance='cluster')"
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
        controls=controls,
        slopes=slopes,
        covariance=covariance,
        n_clusters=int(len(set(groups))) if covariance == "cluster" else len(used),
    )


def fit_services(
    councils: pd.DataFrame,
    spending: pd.DataFrame,
    year: str,
    services: Sequence[str] | None = None,
    *,
    level: float = 0.95,
    exclude_sui_generis: bool = True,
    **model: object,
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
    **model
        ``controls``, ``geography``, ``slopes``, ``covariance``, passed to
        :func:`fit_service`.

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
            councils, spending, s, year, level=level, exclude_sui_generis=exclude_sui_generis,
            **model,  # type: ignore[arg-type]
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
        ``elasticity`` (dimensionless), ``se`` (HC3 or cluster-robust), ``ci_low``,
        ``ci_high``, ``level``, ``p_value``, ``r_squared``, ``n_left_out`` (councils of the
        model's classes not used), ``dropped_controls``, ``controls``, ``covariance``,
        ``n_clusters``.

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
        if f.slopes != "common":
            raise InputError(f"fits: the {f.service} fit has slopes {f.slopes!r} (allowed: common-slope "
                             "fits; use class_coefficients for by_class fits)")
        low, high = f.ci
        rows.append({
            "service": f.service,
            "year": f.year,
            "classes": ",".join(f.classes),
            "n": int(f.result.nobs),
            "elasticity": f.elasticity,
            "se": f.se(),
            "ci_low": low,
            "ci_high": high,
            "level": f.level,
            "p_value": f.p_value(),
            "r_squared": float(f.result.rsquared),
            "n_left_out": int((~f.left_out["by_design"]).sum()),
            "dropped_controls": ", ".join(f.dropped_controls),
            "controls": ",".join(f.controls),
            "covariance": f.covariance,
            "n_clusters": f.n_clusters,
        })
    return pd.DataFrame(rows)


#: Plain words for what an interval says about economies of scale.
EVIDENCE_WORDS: dict[str, str] = {
    "economies": "economies of scale: the whole interval is below 0",
    "not_supported": "no economy of scale shown: the interval includes 0",
    "diseconomies": "diseconomies: the whole interval is above 0",
}


def evidence(ci_low: float, ci_high: float) -> str:
    """What an elasticity's interval supports: ``economies``, ``not_supported`` or ``diseconomies``.

    Examples
    --------
    >>> evidence(-0.5, -0.1), evidence(-0.5, 0.1), evidence(0.1, 0.3)
    ('economies', 'not_supported', 'diseconomies')
    """
    if ci_high < 0:
        return "economies"
    if ci_low > 0:
        return "diseconomies"
    return "not_supported"


def class_coefficients(fits: ServiceFit | Mapping[str, ServiceFit] | Iterable[ServiceFit]) -> pd.DataFrame:
    """Tidy table of the elasticity per service and class (``by_class`` fits).

    A common-slope fit gives one row per class of its model, all with the common slope
    (``slopes == "common"``), so both kinds can be compared in one table.

    Parameters
    ----------
    fits : ServiceFit, or a mapping or iterable of them

    Returns
    -------
    pandas.DataFrame
        One row per service and class: ``service, year, classes`` (of the model),
        ``class``, ``n`` (councils of that class in the fit), ``n_model`` (all councils),
        ``elasticity``, ``se``, ``ci_low``, ``ci_high``, ``level``, ``p_value``,
        ``evidence`` (see :func:`evidence`), ``controls``, ``slopes``, ``covariance``,
        ``n_clusters``.

    Examples
    --------
    >>> pops = np.array([1, 2, 4, 8, 3, 6, 12, 24]) * 1e4
    >>> councils = pd.DataFrame({"ecode": list("ABCDEFGH"), "ons_code": list("abcdefgh"),
    ...     "name": list("ABCDEFGH"), "class": ["SD"] * 4 + ["UA"] * 4, "region": "North",
    ...     "population_2011": pops, "population_source": "census", "principal": True})
    >>> noise = [1.0, 1.1, 0.9, 1.0, 1.05, 0.95, 1.0, 1.02]
    >>> spending = pd.DataFrame({"ecode": councils["ecode"], "year": "2011-12", "service": "central",
    ...     "gbp_thousand": pops ** np.where(councils["class"] == "SD", 0.7, 0.95) * noise})
    >>> fit = fit_service(councils, spending, "central", "2011-12", slopes="by_class")
    >>> class_coefficients(fit)[["class", "n", "elasticity"]].round(1)
      class  n  elasticity
    0    SD  4        -0.3
    1    UA  4        -0.1
    """
    rows = []
    for f in _as_fits(fits):
        classes = f.slope_classes if f.slopes == "by_class" else tuple(
            c for c in f.classes if (f.data["class"] == c).any())
        for cls in classes:
            term = None if f.slopes == "common" else cls
            low, high = f.interval(term)
            rows.append({
                "service": f.service, "year": f.year, "classes": ",".join(f.classes), "class": cls,
                "n": int((f.data["class"] == cls).sum()), "n_model": int(f.result.nobs),
                "elasticity": f.coef(term), "se": f.se(term), "ci_low": low, "ci_high": high,
                "level": f.level, "p_value": f.p_value(term), "evidence": evidence(low, high),
                "controls": ",".join(f.controls), "slopes": f.slopes, "covariance": f.covariance,
                "n_clusters": f.n_clusters,
            })
    return pd.DataFrame(rows, columns=[
        "service", "year", "classes", "class", "n", "n_model", "elasticity", "se", "ci_low", "ci_high",
        "level", "p_value", "evidence", "controls", "slopes", "covariance", "n_clusters"])


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
    elasticity: float | Sequence[float] | np.ndarray,
    ci: tuple[float, float] | tuple[Sequence[float] | np.ndarray, Sequence[float] | np.ndarray] | None = None,
) -> PoolingSaving:
    """Predicted annual saving from pooling a service across councils.

    Parameters
    ----------
    spend_gbp_thousand : array_like
        Each council's spending on the service, £ thousand per year.
    populations : array_like
        Each council's population (persons).
    elasticity : float or array_like
        Elasticity of spending per head with respect to population (from
        :func:`fit_service`): one for all councils, or one per council (the slope of its
        class in a ``by_class`` fit).
    ci : (low, high), optional
        Confidence interval of the elasticity (floats, or one per council); the saving's
        interval is the saving at its ends, all councils at the same end together.
        Default: no interval (both ends equal the central saving).

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

    One slope per council: the first council's part is 100 × (1 - 4^-0.1), the second's 0:

    >>> s = pooling_saving([100.0, 300.0], [1e5, 3e5], [-0.1, 0.0])
    >>> [round(x, 2) for x in s.saving_by_council_gbp_thousand]
    [12.94, 0.0]
    """
    spend = np.asarray(spend_gbp_thousand, dtype="float64")
    k = spend.size
    b = np.broadcast_to(np.asarray(elasticity, dtype="float64"), spend.shape) if spend.ndim == 1 else None
    if b is None or np.asarray(elasticity).ndim > 1 or np.asarray(elasticity).size not in (1, k):
        raise InputError(f"elasticity: {np.asarray(elasticity).tolist()!r} (allowed: one number, or one per council)")
    low_b, high_b = (b, b) if ci is None else (
        np.broadcast_to(np.asarray(ci[0], dtype="float64"), spend.shape),
        np.broadcast_to(np.asarray(ci[1], dtype="float64"), spend.shape))
    if not (np.all(low_b <= b) and np.all(b <= high_b)):
        raise InputError(f"ci: {ci!r} does not contain the elasticity {np.asarray(elasticity).tolist()!r} "
                         "(allowed: low <= b <= high)")
    pops = np.asarray(populations, dtype="float64")
    pooled_spend(spend, pops, 0.0)  # checks the inputs
    ratio = pops.sum() / pops
    by_b = spend * ratio ** np.vstack([b, low_b, high_b])
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
        ``service, class`` (``all`` for a common slope; a ``by_class`` fit gives one row
        per class, with councils of that class), ``councils_pooled, elasticity,
        saving_pct, saving_pct_low, saving_pct_high`` (% of combined spend on the service),
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
    if deflator is None:
        deflator = cited.deflator()
    rows = []
    for f in _as_fits(fits):
        for cls in (f.slope_classes if f.slopes == "by_class" else (None,)):
            rows += _pooling_rows(f, cls, ks, deflator)
    return pd.DataFrame(rows, columns=["service", "class", "councils_pooled", "elasticity", "saving_pct",
                                       "saving_pct_low", "saving_pct_high", "median_spend_gbp_thousand",
                                       "saving_gbp_thousand", "saving_low_gbp_thousand",
                                       "saving_high_gbp_thousand"])


def _pooling_rows(f: ServiceFit, cls: str | None, ks: list[int], deflator: Mapping[str, float]) -> list[dict]:
    """Rows of :func:`pooling_table` for one fit and class (``None``: the common slope)."""
    low_b, high_b = f.interval(cls)
    spend = f.data["spend_gbp_thousand"] if cls is None else f.data.loc[f.data["class"] == cls, "spend_gbp_thousand"]
    median = float(cuts.deflate([spend.median()], [f.year], deflator)[0])
    rows = []
    for k in ks:
        share = 1.0 - k ** np.array([f.coef(cls), high_b, low_b])
        rows.append({
            "service": f.service, "class": "all" if cls is None else cls, "councils_pooled": k,
            "elasticity": f.coef(cls),
            "saving_pct": 100.0 * share[0], "saving_pct_low": 100.0 * share[1],
            "saving_pct_high": 100.0 * share[2], "median_spend_gbp_thousand": median,
            "saving_gbp_thousand": k * median * share[0], "saving_low_gbp_thousand": k * median * share[1],
            "saving_high_gbp_thousand": k * median * share[2],
        })
    return rows
