"""Tables for the scale-and-partners report: pure functions, DataFrame in, DataFrame out.

Inputs are the outputs of :mod:`sharedservices.model.scale` and :mod:`sharedservices.model.partners`.
Elasticities are dimensionless; money is £ thousand or £m a year in real 2010-11 prices as
each column name says; percentages are of the combined spend on the services pooled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sharedservices.report import format as fmt
from sharedservices.report.tables.overview import SERVICE_LABELS

__all__ = [
    "CLASS_WORDS",
    "EVIDENCE_LABELS",
    "geography_missing_table",
    "interval_words",
    "match_tests_table",
    "scale_class_table",
    "near_far_words",
    "partner_table",
    "saving_words",
    "pooling_summary",
    "scale_coefficient_table",
    "scale_influential",
    "scale_left_out_councils",
    "scale_left_out_counts",
]


def _label(service: str) -> str:
    return SERVICE_LABELS.get(service, service)


def scale_coefficient_table(coefs: pd.DataFrame) -> pd.DataFrame:
    """Readable coefficient table, one row per service.

    Parameters
    ----------
    coefs : DataFrame
        :func:`sharedservices.model.scale.coefficients` output.

    Returns
    -------
    DataFrame
        ``service`` (label), ``classes``, ``councils`` (n), ``elasticity``, ``ci_low``,
        ``ci_high`` (95 % or the fit's level), ``se`` (HC3 or cluster-robust, as fitted),
        ``p_value``, ``r_squared``,
        ``left_out`` (councils of the model's classes not used).

    Examples
    --------
    >>> c = pd.DataFrame({"service": ["central"], "classes": ["SD,UA"], "n": [10],
    ...     "elasticity": [-0.1], "ci_low": [-0.2], "ci_high": [0.0], "se": [0.05],
    ...     "p_value": [0.04], "r_squared": [0.5], "n_left_out": [2]})
    >>> scale_coefficient_table(c)["service"].tolist()
    ['Central services']
    """
    out = pd.DataFrame({
        "service": [_label(s) for s in coefs["service"]],
        "classes": coefs["classes"].to_numpy(),
        "councils": coefs["n"].astype(int).to_numpy(),
        "elasticity": coefs["elasticity"].to_numpy(),
        "ci_low": coefs["ci_low"].to_numpy(),
        "ci_high": coefs["ci_high"].to_numpy(),
        "se": coefs["se"].to_numpy(),
        "p_value": coefs["p_value"].to_numpy(),
        "r_squared": coefs["r_squared"].to_numpy(),
        "left_out": coefs["n_left_out"].astype(int).to_numpy(),
    })
    return out


def scale_left_out_counts(left_out: pd.DataFrame) -> pd.DataFrame:
    """Councils left out (not by design) by reason: distinct councils and council-service pairs.

    Examples
    --------
    >>> lo = pd.DataFrame({"service": ["a", "b", "a"], "ecode": ["X", "X", "Y"],
    ...     "reason_code": ["no_population", "no_population", "sui_generis"]})
    >>> scale_left_out_counts(lo)
         reason_code  councils  council_service_pairs
    0  no_population         1                      2
    1    sui_generis         1                      1
    """
    g = left_out.groupby("reason_code", sort=True)
    return pd.DataFrame({
        "councils": g["ecode"].nunique(),
        "council_service_pairs": g.size(),
    }).reset_index()


def scale_left_out_councils(left_out: pd.DataFrame, reasons: tuple[str, ...] = ("no_population", "sui_generis")) -> pd.DataFrame:
    """One row per council left out of every fit for one of ``reasons``, with the reason.

    Examples
    --------
    >>> lo = pd.DataFrame({"service": ["a", "b"], "ecode": ["X", "X"], "name": ["Ex", "Ex"],
    ...     "class": ["SD", "SD"], "reason_code": ["no_population"] * 2,
    ...     "reason": ["no exact 2011 population: merged"] * 2})
    >>> scale_left_out_councils(lo)[["name", "services"]].values.tolist()
    [['Ex', 2]]
    """
    rows = left_out[left_out["reason_code"].isin(list(reasons))]
    out = (rows.groupby(["ecode", "name", "class", "reason_code", "reason"], sort=False)
           .size().rename("services").reset_index())
    return out.sort_values(["reason_code", "class", "name"], kind="stable").reset_index(drop=True)


def pooling_summary(pooling: pd.DataFrame, exclude: tuple[str, ...] = ()) -> pd.DataFrame:
    """Saving from pooling each service across k councils of equal size, readable.

    Parameters
    ----------
    pooling : DataFrame
        :func:`sharedservices.model.scale.pooling_table` output.
    exclude : tuple of str
        Services to leave out (e.g. ``scale.NOT_POOLED_BY_DEFAULT``: totals and education).

    Returns
    -------
    DataFrame
        ``service`` (label), ``councils_pooled``, ``saving_pct`` with ``_low``/``_high``
        (% of combined spend on the service) and ``saving_gbp_m`` with ``_low``/``_high``
        (k median councils, £m a year, real 2010-11 prices).

    Examples
    --------
    >>> p = pd.DataFrame({"service": ["central"], "councils_pooled": [2], "saving_pct": [6.7],
    ...     "saving_pct_low": [0.0], "saving_pct_high": [12.9], "saving_gbp_thousand": [670.0],
    ...     "saving_low_gbp_thousand": [0.0], "saving_high_gbp_thousand": [1290.0]})
    >>> pooling_summary(p)["saving_gbp_m"].tolist()
    [0.67]
    """
    p = pooling[~pooling["service"].isin(list(exclude))]
    return pd.DataFrame({
        "service": [_label(s) for s in p["service"]],
        "councils_pooled": p["councils_pooled"].astype(int).to_numpy(),
        "saving_pct": p["saving_pct"].to_numpy(),
        "saving_pct_low": p["saving_pct_low"].to_numpy(),
        "saving_pct_high": p["saving_pct_high"].to_numpy(),
        "saving_gbp_m": p["saving_gbp_thousand"].to_numpy() / 1000.0,
        "saving_gbp_m_low": p["saving_low_gbp_thousand"].to_numpy() / 1000.0,
        "saving_gbp_m_high": p["saving_high_gbp_thousand"].to_numpy() / 1000.0,
    })


def scale_influential(influence: pd.DataFrame) -> pd.DataFrame:
    """The influence table, readable (Cook's distance, leverage, studentized residual).

    Examples
    --------
    >>> i = pd.DataFrame({"ecode": ["X"], "name": ["Ex"], "class": ["SD"], "region": ["EE"],
    ...     "population": [1e5], "cooks_distance": [0.2], "leverage": [0.1],
    ...     "studentized_residual": [3.0], "influential": [True]})
    >>> scale_influential(i).columns.tolist()
    ['council', 'class', 'region', 'population', 'cooks_distance', 'leverage', 'studentized_residual', 'influential']
    """
    out = influence.rename(columns={"name": "council"}).drop(columns=["ecode"])
    out["population"] = out["population"].astype("int64")
    return out[["council", "class", "region", "population", "cooks_distance", "leverage",
                "studentized_residual", "influential"]].reset_index(drop=True)


def partner_table(candidates: pd.DataFrame) -> pd.DataFrame:
    """Candidate partners with the implied saving of each pairing, readable.

    Parameters
    ----------
    candidates : DataFrame
        :func:`sharedservices.model.partners.candidate_partners` output.

    Returns
    -------
    DataFrame
        ``kind, rank, partner, class, region, distance_km`` (between centres),
        ``population_ratio, services_pooled``, ``interval`` ("includes a loss" where the
        saving's low end is below zero, else "saving throughout") and the
        pair's saving ``saving_gbp_m`` with ``_low``/``_high`` (£m a year, real 2010-11
        prices), ``council_saving_gbp_m`` (the chosen council's part) and ``saving_pct``
        with ``_low``/``_high`` (% of the pair's combined spend on the pooled services).

    Examples
    --------
    >>> c = pd.DataFrame({"kind": ["near"], "rank": [1], "name": ["Birch"], "class": ["SD"],
    ...     "region": ["EE"], "population_ratio": [1.2], "services_pooled": [5],
    ...     "saving_gbp_thousand": [400.0], "saving_low_gbp_thousand": [100.0],
    ...     "saving_high_gbp_thousand": [700.0], "council_saving_gbp_thousand": [250.0],
    ...     "saving_pct_of_combined_spend": [2.0], "saving_pct_of_combined_spend_low": [0.5],
    ...     "saving_pct_of_combined_spend_high": [3.5], "distance_km": [20.0]})
    >>> partner_table(c)[["partner", "saving_gbp_m", "council_saving_gbp_m", "interval"]].values.tolist()
    [['Birch', 0.4, 0.25, 'saving throughout']]
    """
    return pd.DataFrame({
        "kind": candidates["kind"].to_numpy(),
        "rank": candidates["rank"].astype(int).to_numpy(),
        "partner": candidates["name"].to_numpy(),
        "class": candidates["class"].to_numpy(),
        "region": candidates["region"].to_numpy(),
        "distance_km": (candidates["distance_km"] if "distance_km" in candidates
                        else pd.Series(float("nan"), index=candidates.index)).to_numpy(),
        "population_ratio": candidates["population_ratio"].to_numpy(),
        "services_pooled": candidates["services_pooled"].astype(int).to_numpy(),
        "saving_gbp_m": candidates["saving_gbp_thousand"].to_numpy() / 1000.0,
        "saving_gbp_m_low": candidates["saving_low_gbp_thousand"].to_numpy() / 1000.0,
        "saving_gbp_m_high": candidates["saving_high_gbp_thousand"].to_numpy() / 1000.0,
        "council_saving_gbp_m": candidates["council_saving_gbp_thousand"].to_numpy() / 1000.0,
        "saving_pct": candidates["saving_pct_of_combined_spend"].to_numpy(),
        "saving_pct_low": candidates["saving_pct_of_combined_spend_low"].to_numpy(),
        "saving_pct_high": candidates["saving_pct_of_combined_spend_high"].to_numpy(),
        "interval": np.where(candidates["saving_low_gbp_thousand"].to_numpy() < 0, "includes a loss",
                             "saving throughout"),
    })


def saving_words(gbp_m: float) -> str:
    """A saving in words that reads right for either sign (£m a year).

    Examples
    --------
    >>> saving_words(0.83), saving_words(-2.3)
    ('save £0.8m a year', 'add £2.3m a year to spending')
    """
    return f"save {fmt.gbp_m(gbp_m)} a year" if gbp_m >= 0 else f"add {fmt.gbp_m(-gbp_m)} a year to spending"


def near_far_words(near_max_pct: float | None, far_max_pct: float | None) -> str:
    """What the best near and far candidates say about partners needing to be neighbours.

    Percentages are the best implied saving of each kind, % of the pair's combined spend.

    Examples
    --------
    >>> near_far_words(2.6, 3.1)
    'the best far candidate (3.1% of combined spend) does at least as well as the best near one (2.6%): on these estimates partners need not be neighbours'
    >>> near_far_words(0.5, 0.1)
    'the best near candidate (0.5% of combined spend) does better than the best far one (0.1%): for this council the estimates favour a neighbour'
    """
    if near_max_pct is None or far_max_pct is None:
        return "there are not both near and far candidates to compare"
    if far_max_pct >= near_max_pct:
        return (f"the best far candidate ({fmt.pct_value(far_max_pct)} of combined spend) does at least as well as "
                f"the best near one ({fmt.pct_value(near_max_pct)}): on these estimates partners need not be "
                "neighbours")
    return (f"the best near candidate ({fmt.pct_value(near_max_pct)} of combined spend) does better than the best "
            f"far one ({fmt.pct_value(far_max_pct)}): for this council the estimates favour a neighbour")


EVIDENCE_LABELS = {
    "economies": "economies of scale (interval below 0)",
    "not_supported": "not supported (interval includes 0)",
    "diseconomies": "diseconomies (interval above 0)",
}


def scale_class_table(compare: pd.DataFrame) -> pd.DataFrame:
    """Elasticity per service and class, without and with the density and deprivation controls.

    Parameters
    ----------
    compare : DataFrame
        ``service, class`` and, with suffixes ``_without`` and ``_with``: ``n, elasticity,
        ci_low, ci_high, evidence`` (:func:`sharedservices.model.scale.class_coefficients` of the
        two models, merged).

    Returns
    -------
    DataFrame
        ``service`` (label), ``class``, ``councils``, ``elasticity_without``,
        ``ci_low_without``, ``ci_high_without``, ``elasticity_with``, ``ci_low_with``,
        ``ci_high_with`` (dimensionless) and ``evidence_with`` in words.

    Examples
    --------
    >>> c = pd.DataFrame({"service": ["central"], "class": ["SD"], "n_without": [177],
    ...     "elasticity_without": [-0.4], "ci_low_without": [-0.6], "ci_high_without": [-0.2],
    ...     "evidence_without": ["economies"], "n_with": [177], "elasticity_with": [-0.42],
    ...     "ci_low_with": [-0.59], "ci_high_with": [-0.25], "evidence_with": ["economies"]})
    >>> scale_class_table(c)["evidence_with"].tolist()
    ['economies of scale (interval below 0)']
    """
    return pd.DataFrame({
        "service": [_label(s) for s in compare["service"]],
        "class": compare["class"].to_numpy(),
        "councils": compare["n_with"].fillna(compare["n_without"]).astype(int).to_numpy(),
        "elasticity_without": compare["elasticity_without"].to_numpy(),
        "ci_low_without": compare["ci_low_without"].to_numpy(),
        "ci_high_without": compare["ci_high_without"].to_numpy(),
        "elasticity_with": compare["elasticity_with"].to_numpy(),
        "ci_low_with": compare["ci_low_with"].to_numpy(),
        "ci_high_with": compare["ci_high_with"].to_numpy(),
        "evidence_with": [EVIDENCE_LABELS.get(e, str(e)) for e in compare["evidence_with"]],
    })


def match_tests_table(tests: pd.DataFrame) -> pd.DataFrame:
    """The test of distance, readable: does partners' match worsen with distance?

    Parameters
    ----------
    tests : DataFrame
        ``match_by_distance(...)["tests"]``.

    Returns
    -------
    DataFrame
        ``councils`` (kind of pair), ``measure``, ``councils_n``, ``pairs``, ``mantel_r``
        (correlation of distance with the mismatch, -1..1), ``p_value`` (permutation),
        ``median_near``, ``median_far`` (mismatch of pairs within the near distance and at
        least twice as far; mix: 0-1, cost: log points) and ``far_to_near`` (ratio).

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["shire districts"], "measure": ["mix_distance"], "councils": [178],
    ...     "pairs": [15753], "r": [-0.04], "p_value": [0.86], "median_near": [0.16],
    ...     "median_far": [0.164], "far_to_near": [1.02]})
    >>> match_tests_table(t)["measure"].tolist()
    ['service mix (0-1)']
    """
    names = {"mix_distance": "service mix (0-1)", "cost_distance": "cost structure (log points)"}
    return pd.DataFrame({
        "councils": tests["group"].to_numpy(),
        "measure": [names.get(m, m) for m in tests["measure"]],
        "councils_n": tests["councils"].astype(int).to_numpy(),
        "pairs": tests["pairs"].astype(int).to_numpy(),
        "mantel_r": tests["r"].to_numpy(),
        "p_value": tests["p_value"].to_numpy(),
        "median_near": tests["median_near"].to_numpy(),
        "median_far": tests["median_far"].to_numpy(),
        "far_to_near": tests["far_to_near"].to_numpy(),
    })


def geography_missing_table(missing: pd.DataFrame) -> pd.DataFrame:
    """Councils without an area, centre or deprivation score, and why.

    Examples
    --------
    >>> m = pd.DataFrame({"ecode": ["E3333"], "name": ["Taunton Deane"], "class": ["SD"],
    ...     "geography_basis": ["missing: abolished"], "deprivation_basis": ["missing: merged"],
    ...     "population_source": ["none: merged"]})
    >>> geography_missing_table(m).columns.tolist()
    ['council', 'class', 'area_and_centre', 'deprivation', 'population_2011']
    """
    return pd.DataFrame({
        "council": missing["name"].to_numpy(),
        "class": missing["class"].to_numpy(),
        "area_and_centre": missing["geography_basis"].to_numpy(),
        "deprivation": missing["deprivation_basis"].to_numpy(),
        "population_2011": missing["population_source"].to_numpy(),
    })


def interval_words(low_gbp_m: float, high_gbp_m: float) -> str:
    """What a saving's interval says, in words (£m a year).

    Examples
    --------
    >>> interval_words(-2.2, 3.6)
    'the interval (−£2.2m to £3.6m) includes a loss'
    >>> interval_words(0.4, 3.6)
    'the whole interval (£0.4m to £3.6m) is a saving'
    """
    span = f"({fmt.gbp_m(low_gbp_m)} to {fmt.gbp_m(high_gbp_m)})"
    return f"the interval {span} includes a loss" if low_gbp_m < 0 else f"the whole interval {span} is a saving"


CLASS_WORDS = {"SC": "shire counties", "SD": "shire districts", "UA": "unitaries",
               "MD": "metropolitan districts", "L": "London boroughs"}


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


