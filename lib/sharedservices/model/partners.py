"""Candidate partners for sharing services, near and far, with the saving scale implies.

For a chosen council this module lists

* **near** candidates: principal councils whose class is compatible
  (``COMPATIBLE_CLASSES``: every principal council has central services and the services
  both tiers provide, so every pair of principal classes can share something, as the 56
  district-county/unitary arrangements in Local Government Chronicle's c.2010-11 count
  show; a pair then pools only the services both provide) and whose **centre lies within
  ``near_km``** of the council's (straight line between the centres of their areas,
  :func:`sharedservices.inputs.data.geography`; ``scale.near_km`` in ``data/assumptions``);
* **far** candidates: councils of a similar class (``SIMILAR_CLASSES``: county with
  county, district with district, single-tier with single-tier) whose centre lies
  beyond ``near_km``: the NLGN point (Parker, 2011) that partners "do not have to be
  geographical neighbours", above all for back-office and transactional services.

Without a geography table, near and far fall back to region and county membership (near:
same county or region; far: outside the region), and ``near_basis`` says which was used.

**No pair whose populations overlap.** A shire county and a district inside it serve the
same residents (the county for its services, the district for its own), so pooling
their services is not two councils sharing: such pairs are never candidates
(:func:`overlapping`), and :func:`combination_saving` refuses them.

Both lists are ranked by a **similarity distance** (smaller = more alike):

.. math::

    d = \\sqrt{w_p\\,(\\Delta_p / \\sigma_p)^2 + w_m\\,(\\Delta_m / \\sigma_m)^2}

where :math:`\\Delta_p = |\\ln(P_j / P_i)|` is the population distance (log points, so a
council twice the size is as far as one half the size), :math:`\\Delta_m` the service-mix
distance (the total-variation distance between the two councils' shares of spending
across service lines, 0 = identical mix, 1 = nothing in common; see :func:`service_mix`),
and :math:`\\sigma_p, \\sigma_m` the standard deviations of each over all candidates
(near and far), so that the two parts weigh equally unless ``weights`` say otherwise.

For each candidate pairing the saving implied by the scale estimates
(:func:`sharedservices.model.scale.pooling_saving`) is summed over the services both councils
provide (service totals are never pooled, and education only when asked for: most of it
is schools' delegated budgets). With estimates per class (``class`` column, from
:func:`sharedservices.model.scale.class_coefficients`) each council moves along its own class's
slope. The interval of the sum adds the services' interval ends: it assumes the
elasticities' errors move together, which is conservative; a pairing whose interval's low
end is below zero is flagged ``interval_includes_loss`` (the estimates cannot rule out
that pooling raises spending). The saving is an association across councils of
different sizes, not a causal effect of sharing, and it has **no distance term**: a
partner 300 km away saves what one next door of the same size and spending would.
Whether distance matters for how well partners match is tested by
:func:`match_by_distance`. Money is £ thousand per year in real 2010-11 prices: the
estimates' year's cash deflated with the GDP deflator in ``data/assumptions/prices.yaml``
(or one passed in).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sharedservices.errors import DataError, InputError
from sharedservices.model import cited, cuts, scale

#: Classes a council of each class can share services with (near candidates): all
#: principal classes share central services and the services both tiers provide.
COMPATIBLE_CLASSES: dict[str, tuple[str, ...]] = {
    cls: ("SC", "SD", "UA", "MD", "L") for cls in ("SC", "SD", "UA", "MD", "L")
}

#: Classes of a similar kind (far candidates): same tier structure.
SIMILAR_CLASSES: dict[str, tuple[str, ...]] = {
    "SC": ("SC",),
    "SD": ("SD",),
    "UA": ("UA", "MD", "L"),
    "MD": ("UA", "MD", "L"),
    "L": ("UA", "MD", "L"),
}

#: Service lines making up a council's service mix (social care is one line in every year:
#: the 2010-11 line, or children's plus adult from 2011-12).
MIX_SERVICES: tuple[str, ...] = (
    "education", "highways_transport", "social_care", "public_health", "housing", "cultural",
    "environmental_regulatory", "planning_development", "police", "fire", "central", "other",
)
_SOCIAL_CARE_PARTS = ("social_care", "childrens_social_care", "adult_social_care")

_COEF_COLUMNS = ["service", "year", "classes", "elasticity", "ci_low", "ci_high"]


# --------------------------------------------------------------------------- inputs


def resolve(council: str, councils: pd.DataFrame) -> str:
    """The RS ``ecode`` of a principal council given its RS or ONS code, checked at the door.

    Parameters
    ----------
    council : str
        An RS code (``E0101``) or ONS code (``E06000022``); case and surrounding spaces are
        ignored.
    councils : pandas.DataFrame
        The councils table (``ecode, ons_code, principal`` at least).

    Returns
    -------
    str
        The council's ``ecode``.

    Raises
    ------
    InputError
        One line naming ``council`` when the code is not a principal council.

    Examples
    --------
    >>> councils = pd.DataFrame({"ecode": ["E0101", "E9901"], "ons_code": ["E06000022", None],
    ...     "principal": [True, False]})
    >>> resolve(" e06000022 ", councils)
    'E0101'
    >>> resolve("E9901", councils)
    Traceback (most recent call last):
    ...
    sharedservices.errors.InputError: council: 'E9901' is not an English principal council (allowed: ...)
    """
    allowed = (
        "allowed: an RS code such as E0101 or an ONS code such as E06000022 of a shire county, "
        "shire district, unitary, metropolitan district or London borough"
    )
    if not isinstance(council, str) or not council.strip():
        raise InputError(f"council: {council!r} is not a council code ({allowed})")
    code = council.strip().upper()
    principal = councils[councils["principal"].astype(bool)]
    for column in ("ecode", "ons_code"):
        match = (principal[column].astype("string").str.strip().str.upper() == code).fillna(False)
        hit = principal.loc[match.astype(bool), "ecode"]
        if len(hit) == 1:
            return str(hit.iloc[0])
    raise InputError(f"council: {council!r} is not an English principal council ({allowed})")


def _coefficient_table(estimates: pd.DataFrame | Mapping[str, scale.ServiceFit]) -> pd.DataFrame:
    table = estimates if isinstance(estimates, pd.DataFrame) else scale.coefficients(estimates)
    missing = [c for c in _COEF_COLUMNS if c not in table.columns]
    if missing:
        raise InputError(
            f"estimates: missing column(s) {', '.join(missing)} (allowed: the output of "
            "sharedservices.model.scale.coefficients, or a dict of ServiceFit)"
        )
    years = table["year"].dropna().unique().tolist()
    if len(years) != 1:
        raise InputError(f"estimates: year(s) {years!r} (allowed: estimates of exactly one year)")
    key = ["service", "class"] if "class" in table.columns else ["service"]
    if table.duplicated(key).any():
        raise InputError(f"estimates: a {' and '.join(key)} appears twice (allowed: one row per {' and '.join(key)})")
    return table


def _elasticities(coefs: pd.DataFrame, service: str, classes_of: list[str]) -> tuple[np.ndarray, ...] | None:
    """Each council's (elasticity, low, high) for ``service``, or None when a class has none."""
    rows = coefs[coefs["service"] == service]
    if "class" not in coefs.columns:
        r = rows.iloc[0]
        return tuple(np.full(len(classes_of), float(r[c])) for c in ("elasticity", "ci_low", "ci_high"))
    by_class = rows.set_index("class")
    if not all(c in by_class.index for c in classes_of):
        return None
    return tuple(by_class.loc[classes_of, c].to_numpy(dtype="float64") for c in ("elasticity", "ci_low", "ci_high"))


def overlapping(a: str, b: str, councils: pd.DataFrame) -> bool:
    """Whether two councils serve the same residents: a shire county and a district inside it.

    Parameters
    ----------
    a, b : str
        RS ``ecode`` of each council.
    councils : pandas.DataFrame
        The councils table (``ecode, name, class, county``; a district's ``county`` is its
        county council's name).

    Examples
    --------
    >>> c = pd.DataFrame({"ecode": ["E1", "E2", "E3"], "name": ["Shire CC", "A", "B"],
    ...     "class": ["SC", "SD", "SD"], "county": [None, "Shire CC", "Other CC"]})
    >>> overlapping("E1", "E2", c), overlapping("E2", "E1", c), overlapping("E1", "E3", c)
    (True, True, False)
    """
    areas = scale.county_areas(councils).set_index("ecode")["cluster"]
    info = councils.set_index("ecode")["class"]
    if a == b:
        return True
    classes = {str(info.get(a)), str(info.get(b))}
    return classes == {"SC", "SD"} and areas.get(a) == areas.get(b)


def overlap_partners(council: str, councils: pd.DataFrame) -> pd.DataFrame:
    """The councils whose residents overlap ``council``'s: never candidate partners.

    Parameters
    ----------
    council : str
        RS or ONS code of a principal council.
    councils : pandas.DataFrame
        The councils table.

    Returns
    -------
    pandas.DataFrame
        ``ecode, name, class, reason``: for a district its county council; for a county its
        districts; none for single-tier councils.

    Examples
    --------
    >>> c = pd.DataFrame({"ecode": ["E1", "E2", "E3"], "ons_code": ["a", "b", "c"],
    ...     "name": ["Shire CC", "A", "B"], "class": ["SC", "SD", "SD"],
    ...     "county": [None, "Shire CC", "Shire CC"], "principal": True})
    >>> overlap_partners("E2", c)[["name", "reason"]].values.tolist()
    [['Shire CC', 'A lies inside Shire CC: the residents of A are also Shire CC residents']]
    """
    ecode = resolve(council, councils)
    areas = scale.county_areas(councils).set_index("ecode")["cluster"]
    info = councils.set_index("ecode")
    me = info.loc[ecode]
    if me["class"] not in ("SC", "SD"):
        return pd.DataFrame(columns=["ecode", "name", "class", "reason"])
    other = "SD" if me["class"] == "SC" else "SC"
    hits = info[(info["class"] == other) & (areas.reindex(info.index) == areas[ecode])
                & info["principal"].astype(bool)]
    rows = []
    for e, row in hits.iterrows():
        county, district = (me["name"], row["name"]) if me["class"] == "SC" else (row["name"], me["name"])
        rows.append({"ecode": e, "name": row["name"], "class": row["class"],
                     "reason": f"{district} lies inside {county}: the residents of {district} are also "
                               f"{county} residents"})
    return pd.DataFrame(rows, columns=["ecode", "name", "class", "reason"])


def service_mix(spending: pd.DataFrame, year: str) -> pd.DataFrame:
    """Each council's service mix: shares of its spending across ``MIX_SERVICES``.

    Negative net lines (income above spending, e.g. some housing or "other" lines) count
    as zero, so shares are of the sum of the positive lines and add up to 1.

    Parameters
    ----------
    spending : pandas.DataFrame
        Long table ``ecode, year, service, gbp_thousand``.
    year : str
        Financial year, '2011-12' style.

    Returns
    -------
    pandas.DataFrame
        Index ``ecode``, one column per mix service, fractions (rows sum to 1; councils with
        no positive spending are dropped).

    Examples
    --------
    >>> spending = pd.DataFrame({"ecode": ["A", "A", "A"], "year": "2011-12",
    ...     "service": ["central", "adult_social_care", "other"],
    ...     "gbp_thousand": [25.0, 75.0, -10.0]})
    >>> service_mix(spending, "2011-12").loc["A", ["central", "social_care", "other"]].tolist()
    [0.25, 0.75, 0.0]
    """
    rows = spending[(spending["year"] == year)]
    if rows.empty:
        raise InputError(f"year: {year!r} is not in the spending table")
    rows = rows.assign(
        line=rows["service"].where(~rows["service"].isin(list(_SOCIAL_CARE_PARTS)), "social_care")
    )
    rows = rows[rows["line"].isin(list(MIX_SERVICES))]
    wide = rows.pivot_table(index="ecode", columns="line", values="gbp_thousand", aggfunc="sum")
    wide = wide.reindex(columns=list(MIX_SERVICES)).fillna(0.0).clip(lower=0.0)
    total = wide.sum(axis=1)
    wide = wide[total > 0]
    return wide.div(total[total > 0], axis=0)


def mix_distance(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> float:
    """Total-variation distance between two service mixes (0 = identical, 1 = disjoint).

    Examples
    --------
    >>> mix_distance([0.5, 0.5, 0.0], [0.5, 0.0, 0.5])
    0.5
    """
    return float(0.5 * np.abs(np.asarray(a, dtype="float64") - np.asarray(b, dtype="float64")).sum())


# --------------------------------------------------------------------------- savings


def combination_saving(
    council_codes: Sequence[str],
    councils: pd.DataFrame,
    spending: pd.DataFrame,
    estimates: pd.DataFrame | Mapping[str, scale.ServiceFit],
    *,
    services: Sequence[str] | None = None,
    deflator: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Saving implied by the scale estimates for two or three councils pooling services.

    Parameters
    ----------
    council_codes : sequence of str
        Two or more council codes (RS or ONS); the first is "the council" whose own part
        of the saving is reported in ``council_saving_gbp_thousand``.
    councils, spending : pandas.DataFrame
        The councils table and the long spending table.
    estimates : pandas.DataFrame or dict of ServiceFit
        :func:`sharedservices.model.scale.coefficients` output (one year), or the fits.
    services : sequence of str, optional
        Services to pool; default every estimated service except the totals and
        education (``scale.NOT_POOLED_BY_DEFAULT``: education is mostly schools'
        delegated budgets).
    deflator : mapping of str to float, optional
        GDP deflator index by financial year, to turn the year's cash into real 2010-11
        prices; default ``prices.gdp_deflator`` from ``data/assumptions``.

    Returns
    -------
    pandas.DataFrame
        One row per service and a last row ``service == "all pooled services"``:
        ``pooled`` (bool), ``note`` (why a service is not pooled), ``elasticity``,
        ``ci_low``, ``ci_high``, ``combined_spend_gbp_thousand``, ``saving_gbp_thousand``,
        ``saving_low_gbp_thousand``, ``saving_high_gbp_thousand``,
        ``saving_pct_of_combined_spend`` (with ``_low``/``_high``) and
        ``council_saving_gbp_thousand``. Money: £ thousand per year, real 2010-11
        prices (the estimates' year deflated); positive saving = lower spending.

    Examples
    --------
    >>> councils = pd.DataFrame({"ecode": ["A", "B"], "ons_code": ["a", "b"],
    ...     "name": ["A", "B"], "class": "SD", "region": "East", "county": "Shire",
    ...     "population_2011": [1e5, 3e5], "population_source": "census", "principal": True})
    >>> spending = pd.DataFrame({"ecode": ["A", "B"], "year": "2010-11",
    ...     "service": "central", "gbp_thousand": [100.0, 300.0]})
    >>> estimates = pd.DataFrame({"service": ["central"], "year": ["2010-11"],
    ...     "classes": ["SD,UA,MD,L"], "elasticity": [-0.1], "ci_low": [-0.2], "ci_high": [0.0]})
    >>> out = combination_saving(["A", "B"], councils, spending, estimates)
    >>> out[["service", "saving_gbp_thousand", "council_saving_gbp_thousand"]].round(2)
                   service  saving_gbp_thousand  council_saving_gbp_thousand
    0              central                21.45                        12.94
    1  all pooled services                21.45                        12.94
    """
    table = _coefficient_table(estimates)
    year = str(table["year"].iloc[0])
    if isinstance(council_codes, str) or len(council_codes) < 2:
        raise InputError(f"council_codes: {council_codes!r} (allowed: two or more council codes)")
    ecodes = [resolve(c, councils) for c in council_codes]
    if len(set(ecodes)) != len(ecodes):
        raise InputError(f"council_codes: {list(council_codes)!r} names a council twice (allowed: distinct councils)")
    for i, a in enumerate(ecodes):
        for b in ecodes[i + 1:]:
            if overlapping(a, b, councils):
                names = councils.set_index("ecode")["name"]
                raise InputError(f"council_codes: {a} ({names[a]}) and {b} ({names[b]}) serve the same "
                                 "residents (a county and a district inside it) (allowed: councils whose "
                                 "populations do not overlap)")
    info = councils.set_index("ecode")
    for e in ecodes:
        if not pd.to_numeric(info.loc[e, "population_2011"], errors="coerce") > 0:
            raise InputError(
                f"council: {e!r} ({info.loc[e, 'name']}) has no exact 2011 population "
                f"({info.loc[e, 'population_source']}); savings from scale need one"
            )
    if services is None:
        services = [s for s in table["service"].drop_duplicates() if s not in scale.NOT_POOLED_BY_DEFAULT]
    unknown = [s for s in services if s not in set(table["service"])]
    if unknown:
        raise InputError(
            f"services: {unknown!r} not estimated (allowed: {', '.join(table['service'])})"
        )
    wide = _spend_wide(spending, year, ecodes) * _to_real(year, deflator)
    return _combination(ecodes, info, wide, table, list(services), year)


def _to_real(year: str, deflator: Mapping[str, float] | None) -> float:
    """Factor turning cash of ``year`` into real 2010-11 prices."""
    return float(cuts.deflate([1.0], [year], cited.deflator() if deflator is None else deflator)[0])


_MONEY = ["combined_spend_gbp_thousand", "saving_gbp_thousand", "saving_low_gbp_thousand",
          "saving_high_gbp_thousand", "council_saving_gbp_thousand"]


def _spend_wide(spending: pd.DataFrame, year: str, ecodes: Sequence[str] | None = None) -> pd.DataFrame:
    rows = spending[spending["year"] == year]
    if ecodes is not None:
        rows = rows[rows["ecode"].isin(list(ecodes))]
    return rows.pivot_table(index="service", columns="ecode", values="gbp_thousand", aggfunc="sum")


def _combination(
    ecodes: list[str], info: pd.DataFrame, wide: pd.DataFrame, table: pd.DataFrame,
    services: list[str], year: str,
) -> pd.DataFrame:
    """:func:`combination_saving` on checked inputs (``info`` indexed by ecode)."""
    pops = pd.to_numeric(info.loc[ecodes, "population_2011"], errors="coerce").to_numpy(dtype="float64")
    classes_of = info.loc[ecodes, "class"].astype(str).tolist()
    coefs = table.drop_duplicates("service").set_index("service")
    values_all = wide.reindex(index=services, columns=ecodes).to_numpy(dtype="float64")
    rows = []
    for service, values in zip(services, values_all, strict=True):
        coef = coefs.loc[[service]].iloc[0]
        classes = str(coef["classes"]).split(",")
        ends = _elasticities(table, service, classes_of)
        row: dict[str, Any] = {"service": service, "pooled": False, "note": ""}
        if ends is not None:  # the first council's: its own class's slope
            row.update({"elasticity": float(ends[0][0]), "ci_low": float(ends[1][0]), "ci_high": float(ends[2][0])})
        outside = [(e, c) for e, c in zip(ecodes, classes_of, strict=True) if c not in classes or ends is None]
        if outside:
            row["note"] = (
                f"{', '.join(f'{e} ({c})' for e, c in outside)} not of the model's classes "
                f"({','.join(classes)})"
            )
        elif not np.all(values > 0):
            bad = [e for e, v in zip(ecodes, values, strict=True) if not v > 0]
            row["note"] = f"no positive {year} spending for {', '.join(bad)}"
        else:
            assert ends is not None  # no elasticity for a class is the branch above
            s = scale.pooling_saving(values, pops, ends[0], ci=(ends[1], ends[2]))
            row.update({
                "pooled": True,
                "combined_spend_gbp_thousand": s.combined_spend_gbp_thousand,
                "saving_gbp_thousand": s.saving_gbp_thousand,
                "saving_low_gbp_thousand": s.saving_low_gbp_thousand,
                "saving_high_gbp_thousand": s.saving_high_gbp_thousand,
                "council_saving_gbp_thousand": s.saving_by_council_gbp_thousand[0],
            })
        rows.append(row)
    pooled = [r for r in rows if r["pooled"]]
    rows.append({
        "service": "all pooled services", "pooled": bool(pooled),
        "note": f"{len(pooled)} service(s); interval adds the services' interval ends",
        **{m: float(sum(r[m] for r in pooled)) if pooled else np.nan for m in _MONEY},
    })
    out = pd.DataFrame(rows, columns=["service", "pooled", "note", "elasticity", "ci_low", "ci_high", *_MONEY])
    out[_MONEY] = out[_MONEY].astype("float64")
    base = out["combined_spend_gbp_thousand"].where(out["combined_spend_gbp_thousand"] > 0)
    for suffix, col in (("", "saving_gbp_thousand"), ("_low", "saving_low_gbp_thousand"),
                        ("_high", "saving_high_gbp_thousand")):
        out[f"saving_pct_of_combined_spend{suffix}"] = 100.0 * out[col] / base
    return out


# --------------------------------------------------------------------------- candidates


def distance_km(geography: pd.DataFrame, a: Sequence[str], b: Sequence[str] | None = None) -> np.ndarray:
    """Straight-line distances between council centres, km (British National Grid).

    Parameters
    ----------
    geography : pandas.DataFrame
        :func:`sharedservices.inputs.data.geography` (``ecode, easting_m, northing_m``).
    a, b : sequence of str
        RS ecodes; ``b`` default ``a``.

    Returns
    -------
    numpy.ndarray
        ``(len(a), len(b))`` distances in km (NaN where a centre is missing).

    Examples
    --------
    >>> g = pd.DataFrame({"ecode": ["A", "B"], "easting_m": [0.0, 3000.0], "northing_m": [0.0, 4000.0]})
    >>> distance_km(g, ["A"], ["B"]).tolist()
    [[5.0]]
    """
    xy = geography.drop_duplicates("ecode").set_index("ecode")[["easting_m", "northing_m"]]
    pa = xy.reindex(list(a)).to_numpy(dtype="float64") / 1000.0
    pb = xy.reindex(list(a if b is None else b)).to_numpy(dtype="float64") / 1000.0
    return np.hypot(pa[:, None, 0] - pb[None, :, 0], pa[:, None, 1] - pb[None, :, 1])


def _near_km(near_km: float | None) -> float:
    if near_km is None:
        near_km = cited.near_km()
    if not (isinstance(near_km, (int, float)) and not isinstance(near_km, bool) and np.isfinite(near_km)
            and near_km > 0):
        raise InputError(f"near_km: {near_km!r} is not allowed (allowed: a positive distance in km)")
    return float(near_km)


def candidate_partners(
    council: str,
    councils: pd.DataFrame,
    spending: pd.DataFrame,
    estimates: pd.DataFrame | Mapping[str, scale.ServiceFit],
    *,
    n_near: int = 5,
    n_far: int = 5,
    services: Sequence[str] | None = None,
    weights: tuple[float, float] = (1.0, 1.0),
    deflator: Mapping[str, float] | None = None,
    geography: pd.DataFrame | None = None,
    near_km: float | None = None,
) -> pd.DataFrame:
    """Near and far candidate partners for a council, ranked, with the implied saving.

    Parameters
    ----------
    council : str
        RS or ONS code of a principal council with a 2011 population.
    councils, spending : pandas.DataFrame
        The councils table (with ``county``) and the long spending table.
    estimates : pandas.DataFrame or dict of ServiceFit
        Scale estimates of one year: :func:`sharedservices.model.scale.coefficients` (one slope
        per service) or :func:`sharedservices.model.scale.class_coefficients` (one per service
        and class); the service mix and savings use that year's spending.
    n_near, n_far : int
        How many candidates of each kind to return (the closest by similarity).
    services : sequence of str, optional
        Services to pool for the saving; default every estimated service but the totals
        and education (``scale.NOT_POOLED_BY_DEFAULT``).
    weights : (float, float)
        Weights of the population and service-mix parts of the similarity distance.
    deflator : mapping of str to float, optional
        GDP deflator index by year; default ``prices.gdp_deflator`` (money is reported
        in real 2010-11 prices).
    geography : pandas.DataFrame, optional
        :func:`sharedservices.inputs.data.geography`: near and far by the distance between
        centres. Without it, by region and county membership.
    near_km : float, optional
        Near means a centre within this many km; default ``scale.near_km``.

    Returns
    -------
    pandas.DataFrame
        One row per candidate: ``kind`` ("near"/"far"), ``rank`` (1 = most similar within
        its kind), ``ecode, name, class, region, county, same_county, distance_km``
        (between centres; NaN without geography), ``near_basis`` ("centre distance" or
        "region and county"), ``population, population_ratio`` (candidate / council),
        ``population_distance`` (|ln ratio|), ``mix_distance`` (0-1), ``distance``
        (similarity), ``services_pooled`` (count), the pairing's saving columns from
        :func:`combination_saving` (£ thousand per year, real 2010-11 prices; % of the
        pair's combined spend on the pooled services; ``council_saving_gbp_thousand`` is
        the chosen council's part) and ``interval_includes_loss`` (the saving's low end
        is below zero). A council whose residents overlap the chosen council's (its county,
        or its districts) is never a candidate: see :func:`overlap_partners`.

    Raises
    ------
    InputError
        For a code that is not a principal council, a council without a 2011 population,
        or bad counts, weights or distance.

    Examples
    --------
    >>> councils = pd.DataFrame({"ecode": list("ABCDE"), "ons_code": list("abcde"),
    ...     "name": ["Ash", "Birch", "Cedar", "Damson", "Shire CC"],
    ...     "class": ["SD", "SD", "SD", "SD", "SC"],
    ...     "region": ["East", "East", "East", "West", "East"], "county": ["Shire CC", "X", "Y", "Z", None],
    ...     "population_2011": [1e5, 1.2e5, 3e5, 1.1e5, 4e5], "population_source": "census",
    ...     "principal": True})
    >>> spending = pd.DataFrame({"ecode": list("ABCDE"), "year": "2010-11",
    ...     "service": "central", "gbp_thousand": [100.0, 110.0, 250.0, 105.0, 300.0]})
    >>> estimates = pd.DataFrame({"service": ["central"], "year": ["2010-11"],
    ...     "classes": ["SC,SD,UA,MD,L"], "elasticity": [-0.1], "ci_low": [-0.2], "ci_high": [0.0]})
    >>> geography = pd.DataFrame({"ecode": list("ABCDE"), "easting_m": [0, 2e4, 9e4, 3e5, 1e4],
    ...     "northing_m": 0.0})
    >>> out = candidate_partners("A", councils, spending, estimates, geography=geography, near_km=50)
    >>> out[["kind", "rank", "name", "distance_km"]]
       kind  rank    name  distance_km
    0  near     1   Birch         20.0
    1   far     1  Damson        300.0
    2   far     2   Cedar         90.0
    """
    for label, n in (("n_near", n_near), ("n_far", n_far)):
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise InputError(f"{label}: {n!r} is not allowed (allowed: a non-negative integer)")
    if len(weights) != 2 or not all(np.isfinite(w) and w >= 0 for w in weights) or sum(weights) == 0:
        raise InputError(f"weights: {weights!r} is not allowed (allowed: two non-negative numbers, not both 0)")
    threshold = _near_km(near_km) if geography is not None else float("nan")
    table = _coefficient_table(estimates)
    year = str(table["year"].iloc[0])
    ecode = resolve(council, councils)
    frame = councils.copy()
    frame["population"] = pd.to_numeric(frame["population_2011"], errors="coerce").astype("float64")
    if "county" not in frame.columns:
        raise DataError("councils: missing column county (need it for near candidates)")
    me = frame.loc[frame["ecode"] == ecode].iloc[0]
    if not me["population"] > 0:
        raise InputError(
            f"council: {council!r} ({me['name']}) has no exact 2011 population "
            f"({me['population_source']}); partners are ranked by size and savings need one"
        )
    mix = service_mix(spending, year)
    if ecode not in mix.index:
        raise DataError(f"spending: no positive {year} spending for council {ecode!r} ({me['name']})")

    sui = frame["ons_code"].astype("string").isin(list(scale.SUI_GENERIS_ONS)).fillna(False)
    overlap = set(overlap_partners(ecode, councils)["ecode"])
    pool = frame[
        frame["principal"].astype(bool) & (frame["ecode"] != ecode) & (frame["population"] > 0)
        & ~sui & frame["ecode"].isin(mix.index) & ~frame["ecode"].isin(overlap)
    ].copy()
    my_class, my_region, my_county = me["class"], me["region"], me["county"]
    has_county = isinstance(my_county, str) and bool(my_county)
    pool["same_county"] = (pool["county"] == my_county).fillna(False).astype(bool) if has_county else False
    if geography is not None:
        pool["distance_km"] = distance_km(geography, [ecode], pool["ecode"])[0]
        if not np.isfinite(distance_km(geography, [ecode], [ecode])[0, 0]):
            raise InputError(f"council: {council!r} ({me['name']}) has no centre in the geography table, so "
                             "near and far cannot be told apart (allowed: a council with a centre)")
        pool = pool[np.isfinite(pool["distance_km"])]
        close = pool["distance_km"] <= threshold
        basis = "centre distance"
    else:
        pool["distance_km"] = np.nan
        close = (pool["region"] == my_region) | pool["same_county"]
        basis = "region and county"
    near_mask = pool["class"].isin(COMPATIBLE_CLASSES[my_class]) & close
    far_mask = pool["class"].isin(SIMILAR_CLASSES[my_class]) & ~close
    pool = pool[near_mask | far_mask].copy()
    pool["kind"] = np.where(near_mask[pool.index], "near", "far")
    pool["near_basis"] = basis

    pool["population_ratio"] = pool["population"] / me["population"]
    pool["population_distance"] = np.abs(np.log(pool["population_ratio"]))
    mine = mix.loc[ecode].to_numpy()
    theirs = mix.loc[pool["ecode"]].to_numpy()
    pool["mix_distance"] = 0.5 * np.abs(theirs - mine).sum(axis=1)
    parts = []
    for col, w in zip(("population_distance", "mix_distance"), weights, strict=True):
        spread = float(pool[col].std(ddof=0)) if len(pool) > 1 else 0.0
        parts.append(w * (pool[col] / (spread if spread > 0 else 1.0)) ** 2)
    pool["distance"] = np.sqrt(parts[0] + parts[1])

    chosen = []
    for kind, n in (("near", n_near), ("far", n_far)):
        part = pool[pool["kind"] == kind].sort_values(["distance", "ecode"], kind="stable").head(n)
        part = part.assign(rank=np.arange(1, len(part) + 1))
        chosen.append(part)
    out = pd.concat(chosen, ignore_index=True)
    columns = ["kind", "rank", "ecode", "name", "class", "region", "county", "same_county", "distance_km",
               "near_basis", "population", "population_ratio", "population_distance", "mix_distance", "distance"]
    out = out[columns]
    if services is None:
        services = [s for s in table["service"].drop_duplicates() if s not in scale.NOT_POOLED_BY_DEFAULT]
    unknown = [s for s in services if s not in set(table["service"])]
    if unknown:
        raise InputError(f"services: {unknown!r} not estimated (allowed: {', '.join(table['service'].drop_duplicates())})")
    info = frame.set_index("ecode")
    wide = _spend_wide(spending, year, [ecode, *out["ecode"]]) * _to_real(year, deflator)
    savings = []
    for other in out["ecode"]:
        combo = _combination([ecode, other], info, wide, table, list(services), year)
        total = combo.iloc[-1]
        savings.append({
            "services_pooled": int(combo["pooled"].iloc[:-1].sum()),
            **{c: total[c] for c in combo.columns if c.startswith(("combined_", "saving_", "council_saving"))},
        })
    saving_cols = ["services_pooled", "combined_spend_gbp_thousand", "saving_gbp_thousand",
                   "saving_low_gbp_thousand", "saving_high_gbp_thousand", "council_saving_gbp_thousand",
                   "saving_pct_of_combined_spend", "saving_pct_of_combined_spend_low",
                   "saving_pct_of_combined_spend_high"]
    out = pd.concat([out, pd.DataFrame(savings, columns=saving_cols)], axis=1)
    out["interval_includes_loss"] = (out["saving_low_gbp_thousand"] < 0).astype(bool)
    return out


# --------------------------------------------------------------------------- distance and fit

#: Groups of classes compared with each other in :func:`match_by_distance` (similar classes).
MATCH_GROUPS: dict[str, tuple[str, ...]] = {
    "shire counties": ("SC",),
    "shire districts": ("SD",),
    "single-tier councils": ("UA", "MD", "L"),
}


def cost_structure(spending: pd.DataFrame, councils: pd.DataFrame, year: str) -> pd.DataFrame:
    """Log spending per head by service line (the cost structure), one row per council.

    Parameters
    ----------
    spending, councils : pandas.DataFrame
        The long spending table and the councils table (``population_2011``).
    year : str
        Financial year.

    Returns
    -------
    pandas.DataFrame
        Index ``ecode``, one column per ``MIX_SERVICES`` line: log of £ per resident (cash);
        NaN where the council's net spending on the line is not positive.

    Examples
    --------
    >>> councils = pd.DataFrame({"ecode": ["A"], "population_2011": [1000.0]})
    >>> spending = pd.DataFrame({"ecode": ["A", "A"], "year": "2011-12",
    ...     "service": ["central", "housing"], "gbp_thousand": [100.0, -5.0]})
    >>> cost_structure(spending, councils, "2011-12").loc["A", ["central", "housing"]].round(3).tolist()
    [4.605, nan]
    """
    rows = spending[spending["year"] == year]
    rows = rows.assign(line=rows["service"].where(~rows["service"].isin(list(_SOCIAL_CARE_PARTS)), "social_care"))
    rows = rows[rows["line"].isin(list(MIX_SERVICES))]
    wide = rows.pivot_table(index="ecode", columns="line", values="gbp_thousand", aggfunc="sum")
    wide = wide.reindex(columns=list(MIX_SERVICES))
    pop = pd.to_numeric(councils.set_index("ecode")["population_2011"], errors="coerce").reindex(wide.index)
    per_head = wide.mul(1000.0).div(pop, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(per_head.where(per_head > 0))


def mantel(a: np.ndarray, b: np.ndarray, *, permutations: int = 999, seed: int = 12) -> tuple[float, float]:
    """Mantel test: correlation of two distance matrices, with a permutation p-value.

    Pairs sharing a council are not independent, so the p-value comes from permuting the
    councils (rows and columns of ``b`` together) rather than from the pairs.

    Parameters
    ----------
    a, b : numpy.ndarray
        Square symmetric matrices over the same councils; pairs with a NaN in either are
        left out of the correlation.
    permutations : int
        Number of random permutations.
    seed : int
        Seed of the generator (results are reproducible).

    Returns
    -------
    (float, float)
        Pearson correlation of the upper triangles, and the one-sided p-value of a
        correlation at least this large: (1 + count) / (1 + permutations).

    Examples
    --------
    Points on a line: geographic distance and the same distance plus a little noise:

    >>> x = np.arange(8.0)
    >>> d = np.abs(x[:, None] - x[None, :])
    >>> r, p = mantel(d, d * 1.1 + 0.01, permutations=199)
    >>> round(r, 3), p < 0.05
    (1.0, True)
    """
    a = np.asarray(a, dtype="float64")
    b = np.asarray(b, dtype="float64")
    n = a.shape[0]
    if a.shape != (n, n) or b.shape != (n, n) or n < 3:
        raise InputError(f"distance matrices: shapes {a.shape} and {b.shape} (allowed: two square matrices of the same size, at least 3)")
    if not isinstance(permutations, int) or permutations < 1:
        raise InputError(f"permutations: {permutations!r} is not allowed (allowed: a positive integer)")
    iu = np.triu_indices(n, 1)

    def corr(bm: np.ndarray) -> float:
        x, y = a[iu], bm[iu]
        ok = np.isfinite(x) & np.isfinite(y)
        if ok.sum() < 3:
            return float("nan")
        return float(np.corrcoef(x[ok], y[ok])[0, 1])

    r = corr(b)
    rng = np.random.default_rng(seed)
    count = 0
    for _ in range(permutations):
        order = rng.permutation(n)
        if corr(b[np.ix_(order, order)]) >= r:
            count += 1
    return r, (1 + count) / (1 + permutations)


def match_by_distance(
    councils: pd.DataFrame,
    spending: pd.DataFrame,
    geography: pd.DataFrame,
    year: str,
    *,
    bands_km: Sequence[float] | None = None,
    near_km: float | None = None,
    permutations: int = 999,
) -> dict[str, pd.DataFrame]:
    """How closely possible partners' service mix and cost structure match as distance grows.

    Every pair of councils of a similar kind (``MATCH_GROUPS``: county with county,
    district with district, single-tier with single-tier; such pairs never overlap), each
    with a 2011 population, a centre and positive spending, gives

    * ``km``: the distance between their centres;
    * ``mix_distance``: the total-variation distance between their service mixes (0 =
      the same shares of spending across service lines, 1 = nothing in common);
    * ``cost_distance``: the mean absolute difference of their log spending per head over
      the lines both spend on (log points: 0.2 = a typical line costs about 20 % more per
      resident in one than in the other).

    Parameters
    ----------
    councils, spending, geography : pandas.DataFrame
        The councils, long spending and geography tables.
    year : str
        Financial year of the spending.
    bands_km : sequence of float, optional
        Band edges in km; default ``scale.distance_bands_km``.
    near_km : float, optional
        The near threshold (default ``scale.near_km``): the tests compare the median of
        pairs within it with the median of pairs at least twice as far apart.
    permutations : int
        Permutations of the Mantel test.

    Returns
    -------
    dict
        ``pairs`` (``group, a, b, km, band, mix_distance, cost_distance``), ``bands``
        (per group and band: ``pairs``, the median and quartiles of each distance) and
        ``tests`` (per group and measure: ``councils``, ``pairs``, Mantel ``r`` and
        ``p_value``, ``median_near`` (pairs within ``near_km``), ``median_far`` (pairs at
        least ``2 * near_km`` apart) and their ``far_to_near`` ratio).

    Examples
    --------
    Six districts on a line, the mix drifting with distance:

    >>> councils = pd.DataFrame({"ecode": list("ABCDEF"), "class": "SD",
    ...     "population_2011": 1e5, "principal": True, "ons_code": list("abcdef")})
    >>> share = np.linspace(0.2, 0.7, 6)
    >>> spending = pd.DataFrame({"ecode": list("ABCDEF") * 2, "year": "2011-12",
    ...     "service": ["central"] * 6 + ["housing"] * 6,
    ...     "gbp_thousand": np.r_[share, 1 - share] * 1000})
    >>> geography = pd.DataFrame({"ecode": list("ABCDEF"), "easting_m": np.arange(6) * 40e3,
    ...     "northing_m": 0.0})
    >>> out = match_by_distance(councils, spending, geography, "2011-12", bands_km=[0, 50, 1000],
    ...     near_km=50, permutations=99)
    >>> t = out["tests"].set_index("measure")
    >>> round(float(t.loc["mix_distance", "r"]), 2), float(t.loc["mix_distance", "p_value"]) < 0.05
    (1.0, True)
    """
    if bands_km is None:
        bands_km = cited.distance_bands_km()
    edges = [float(x) for x in bands_km]
    if len(edges) < 2 or any(b <= a for a, b in zip(edges, edges[1:], strict=False)) or edges[0] < 0:
        raise InputError(f"bands_km: {list(bands_km)!r} is not allowed (allowed: increasing distances from 0)")
    threshold = _near_km(near_km)
    mix = service_mix(spending, year)
    costs = cost_structure(spending, councils, year)
    pop = pd.to_numeric(councils["population_2011"], errors="coerce")
    placed = set(geography.loc[geography["easting_m"].notna(), "ecode"]) if "easting_m" in geography else set()
    sui = councils["ons_code"].astype("string").isin(list(scale.SUI_GENERIS_ONS)).fillna(False)
    ok = councils[councils["principal"].astype(bool) & (pop > 0) & councils["ecode"].isin(placed)
                  & councils["ecode"].isin(mix.index) & ~sui]
    labels = [f"{a:g}-{b:g} km" for a, b in zip(edges, edges[1:], strict=False)]
    pair_frames, tests = [], []
    for group, classes in MATCH_GROUPS.items():
        codes = ok.loc[ok["class"].isin(classes), "ecode"].tolist()
        if len(codes) < 3:
            continue
        km = distance_km(geography, codes)
        m = mix.loc[codes].to_numpy()
        mix_d = 0.5 * np.abs(m[:, None, :] - m[None, :, :]).sum(axis=2)
        c = costs.loc[codes].to_numpy()
        with np.errstate(invalid="ignore"):
            diff = np.abs(c[:, None, :] - c[None, :, :])
            cost_d = np.nanmean(np.where(np.isfinite(diff), diff, np.nan), axis=2) if diff.size else diff
        iu = np.triu_indices(len(codes), 1)
        frame = pd.DataFrame({"group": group, "a": np.asarray(codes)[iu[0]], "b": np.asarray(codes)[iu[1]],
                              "km": km[iu], "mix_distance": mix_d[iu], "cost_distance": cost_d[iu]})
        frame["band"] = pd.cut(frame["km"], edges, right=False, labels=labels)
        pair_frames.append(frame)
        for measure, matrix in (("mix_distance", mix_d), ("cost_distance", cost_d)):
            r, p = mantel(km, matrix, permutations=permutations)
            near = frame.loc[frame["km"] <= threshold, measure].median()
            far = frame.loc[frame["km"] >= 2 * threshold, measure].median()
            tests.append({"group": group, "measure": measure, "councils": len(codes), "pairs": len(frame),
                          "r": r, "p_value": p, "median_near": float(near), "median_far": float(far),
                          "far_to_near": float(far / near) if near > 0 else float("nan")})
    pairs = pd.concat(pair_frames, ignore_index=True) if pair_frames else pd.DataFrame(
        columns=["group", "a", "b", "km", "mix_distance", "cost_distance", "band"])
    g = pairs.groupby(["group", "band"], observed=True, sort=True)
    bands = pd.DataFrame({
        "pairs": g.size(),
        **{f"{m}_{stat}": g[m].quantile(q) for m in ("mix_distance", "cost_distance")
           for stat, q in (("q25", 0.25), ("median", 0.5), ("q75", 0.75))},
    }).reset_index()
    return {"pairs": pairs, "bands": bands, "tests": pd.DataFrame(tests)}
