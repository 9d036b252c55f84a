"""Candidate partners for sharing services, near and far, with the saving scale implies.

For a chosen council this module lists

* **near** candidates: principal councils in the same county (shire districts) or the
  same region whose class is compatible (``COMPATIBLE_CLASSES``: every principal council
  has central services and the services both tiers provide, so every pair of principal
  classes can share something, as the 56 district-county/unitary arrangements in Local
  Government Chronicle's c.2010-11 count show; a pair then pools only the services both
  provide);
* **far** candidates: councils of a similar class (``SIMILAR_CLASSES``: county with
  county, district with district, single-tier with single-tier) *outside* the council's
  region: the NLGN point (Parker, 2011) that partners "do not have to be geographical
  neighbours", above all for back-office and transactional services.

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
(:func:`sharedservices.scale.pooling_saving`) is summed over the services both councils
provide (service totals are never pooled, and education only when asked for: most of it
is schools' delegated budgets). The interval of the sum adds the services'
interval ends: it assumes the elasticities' errors move together, which is conservative.
The saving is an association across councils of different sizes, not a causal effect of
sharing. Money is £ thousand per year in real 2010-11 prices: the estimates' year's cash
deflated with the GDP deflator in ``data/assumptions/prices.yaml`` (or one passed in).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sharedservices import cuts, scale
from sharedservices.errors import DataError, InputError

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
            "sharedservices.scale.coefficients, or a dict of ServiceFit)"
        )
    years = table["year"].dropna().unique().tolist()
    if len(years) != 1:
        raise InputError(f"estimates: year(s) {years!r} (allowed: estimates of exactly one year)")
    if table["service"].duplicated().any():
        raise InputError("estimates: a service appears twice (allowed: one row per service)")
    return table


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
        :func:`sharedservices.scale.coefficients` output (one year), or the fits.
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
    info = councils.set_index("ecode")
    for e in ecodes:
        if not pd.to_numeric(info.loc[e, "population_2011"], errors="coerce") > 0:
            raise InputError(
                f"council: {e!r} ({info.loc[e, 'name']}) has no exact 2011 population "
                f"({info.loc[e, 'population_source']}); savings from scale need one"
            )
    if services is None:
        services = [s for s in table["service"] if s not in scale.NOT_POOLED_BY_DEFAULT]
    unknown = [s for s in services if s not in set(table["service"])]
    if unknown:
        raise InputError(
            f"services: {unknown!r} not estimated (allowed: {', '.join(table['service'])})"
        )
    wide = _spend_wide(spending, year, ecodes) * _to_real(year, deflator)
    return _combination(ecodes, info, wide, table, list(services), year)


def _to_real(year: str, deflator: Mapping[str, float] | None) -> float:
    """Factor turning cash of ``year`` into real 2010-11 prices."""
    if deflator is None:
        from sharedservices import assumptions

        deflator = {str(k): float(v) for k, v in assumptions.value("prices.gdp_deflator").items()}
    return float(cuts.deflate([1.0], [year], deflator)[0])


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
    coefs = table.set_index("service")
    values_all = wide.reindex(index=services, columns=ecodes).to_numpy(dtype="float64")
    rows = []
    for service, values in zip(services, values_all, strict=True):
        coef = coefs.loc[service]
        classes = str(coef["classes"]).split(",")
        row: dict[str, object] = {
            "service": service, "pooled": False, "note": "",
            "elasticity": float(coef["elasticity"]), "ci_low": float(coef["ci_low"]),
            "ci_high": float(coef["ci_high"]),
        }
        outside = [(e, c) for e, c in zip(ecodes, classes_of, strict=True) if c not in classes]
        if outside:
            row["note"] = (
                f"{', '.join(f'{e} ({c})' for e, c in outside)} not of the model's classes "
                f"({','.join(classes)})"
            )
        elif not np.all(values > 0):
            bad = [e for e, v in zip(ecodes, values, strict=True) if not v > 0]
            row["note"] = f"no positive {year} spending for {', '.join(bad)}"
        else:
            s = scale.pooling_saving(values, pops, row["elasticity"], ci=(row["ci_low"], row["ci_high"]))
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
) -> pd.DataFrame:
    """Near and far candidate partners for a council, ranked, with the implied saving.

    Parameters
    ----------
    council : str
        RS or ONS code of a principal council with a 2011 population.
    councils, spending : pandas.DataFrame
        The councils table (with ``county``) and the long spending table.
    estimates : pandas.DataFrame or dict of ServiceFit
        Scale estimates of one year (:func:`sharedservices.scale.coefficients`); the
        service mix and savings use that year's spending.
    n_near, n_far : int
        How many candidates of each kind to return (the closest by distance).
    services : sequence of str, optional
        Services to pool for the saving; default every estimated service but the totals
        and education (``scale.NOT_POOLED_BY_DEFAULT``).
    weights : (float, float)
        Weights of the population and service-mix parts of the distance.
    deflator : mapping of str to float, optional
        GDP deflator index by year; default ``prices.gdp_deflator`` (money is reported
        in real 2010-11 prices).

    Returns
    -------
    pandas.DataFrame
        One row per candidate: ``kind`` ("near"/"far"), ``rank`` (1 = most similar within
        its kind), ``ecode, name, class, region, county, same_county, population,
        population_ratio`` (candidate / council), ``population_distance`` (|ln ratio|),
        ``mix_distance`` (0-1), ``distance``, ``services_pooled`` (count) and the pairing's
        saving columns from :func:`combination_saving` (£ thousand per year, real 2010-11
        prices; % of the
        pair's combined spend on the pooled services; ``council_saving_gbp_thousand`` is
        the chosen council's part).

    Raises
    ------
    InputError
        For a code that is not a principal council, a council without a 2011 population,
        or bad counts or weights.

    Examples
    --------
    >>> councils = pd.DataFrame({"ecode": list("ABCD"), "ons_code": list("abcd"),
    ...     "name": ["Ash", "Birch", "Cedar", "Damson"], "class": "SD",
    ...     "region": ["East", "East", "East", "West"], "county": ["X", "X", "Y", "Z"],
    ...     "population_2011": [1e5, 1.2e5, 3e5, 1.1e5], "population_source": "census",
    ...     "principal": True})
    >>> spending = pd.DataFrame({"ecode": list("ABCD"), "year": "2010-11",
    ...     "service": "central", "gbp_thousand": [100.0, 110.0, 250.0, 105.0]})
    >>> estimates = pd.DataFrame({"service": ["central"], "year": ["2010-11"],
    ...     "classes": ["SD,UA,MD,L"], "elasticity": [-0.1], "ci_low": [-0.2], "ci_high": [0.0]})
    >>> candidate_partners("A", councils, spending, estimates)[["kind", "rank", "name"]]
       kind  rank    name
    0  near     1   Birch
    1  near     2   Cedar
    2   far     1  Damson
    """
    for label, n in (("n_near", n_near), ("n_far", n_far)):
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise InputError(f"{label}: {n!r} is not allowed (allowed: a non-negative integer)")
    if len(weights) != 2 or not all(np.isfinite(w) and w >= 0 for w in weights) or sum(weights) == 0:
        raise InputError(f"weights: {weights!r} is not allowed (allowed: two non-negative numbers, not both 0)")
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
    pool = frame[
        frame["principal"].astype(bool) & (frame["ecode"] != ecode) & (frame["population"] > 0)
        & ~sui & frame["ecode"].isin(mix.index)
    ].copy()
    my_class, my_region, my_county = me["class"], me["region"], me["county"]
    same_region = pool["region"] == my_region
    has_county = isinstance(my_county, str) and bool(my_county)
    pool["same_county"] = (pool["county"] == my_county).fillna(False).astype(bool) if has_county else False
    near_mask = pool["class"].isin(COMPATIBLE_CLASSES[my_class]) & (same_region | pool["same_county"])
    far_mask = pool["class"].isin(SIMILAR_CLASSES[my_class]) & ~same_region & ~pool["same_county"]
    pool = pool[near_mask | far_mask].copy()
    pool["kind"] = np.where(near_mask[pool.index], "near", "far")

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
    columns = ["kind", "rank", "ecode", "name", "class", "region", "county", "same_county", "population",
               "population_ratio", "population_distance", "mix_distance", "distance"]
    out = out[columns]
    if services is None:
        services = [s for s in table["service"] if s not in scale.NOT_POOLED_BY_DEFAULT]
    unknown = [s for s in services if s not in set(table["service"])]
    if unknown:
        raise InputError(f"services: {unknown!r} not estimated (allowed: {', '.join(table['service'])})")
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
    return pd.concat([out, pd.DataFrame(savings, columns=saving_cols)], axis=1)
