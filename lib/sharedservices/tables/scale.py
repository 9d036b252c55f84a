"""Tables for the scale-and-partners report: pure functions, DataFrame in, DataFrame out.

Inputs are the outputs of :mod:`sharedservices.scale` and :mod:`sharedservices.partners`.
Elasticities are dimensionless; money is £ thousand or £m a year in real 2010-11 prices as
each column name says; percentages are of the combined spend on the services pooled.
"""

from __future__ import annotations

import pandas as pd

from sharedservices.tables.overview import SERVICE_LABELS

__all__ = [
    "gbp_m_text",
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
        :func:`sharedservices.scale.coefficients` output.

    Returns
    -------
    DataFrame
        ``service`` (label), ``classes``, ``councils`` (n), ``elasticity``, ``ci_low``,
        ``ci_high`` (95 % or the fit's level, HC3), ``se_hc3``, ``p_value``, ``r_squared``,
        ``left_out`` (councils of the model's classes not used).

    Examples
    --------
    >>> c = pd.DataFrame({"service": ["central"], "classes": ["SD,UA"], "n": [10],
    ...     "elasticity": [-0.1], "ci_low": [-0.2], "ci_high": [0.0], "se_hc3": [0.05],
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
        "se_hc3": coefs["se_hc3"].to_numpy(),
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
        :func:`sharedservices.scale.pooling_table` output.
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
        :func:`sharedservices.partners.candidate_partners` output.

    Returns
    -------
    DataFrame
        ``kind, rank, partner, class, region, population_ratio, services_pooled`` and the
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
    ...     "saving_pct_of_combined_spend_high": [3.5]})
    >>> partner_table(c)[["partner", "saving_gbp_m", "council_saving_gbp_m"]].values.tolist()
    [['Birch', 0.4, 0.25]]
    """
    return pd.DataFrame({
        "kind": candidates["kind"].to_numpy(),
        "rank": candidates["rank"].astype(int).to_numpy(),
        "partner": candidates["name"].to_numpy(),
        "class": candidates["class"].to_numpy(),
        "region": candidates["region"].to_numpy(),
        "population_ratio": candidates["population_ratio"].to_numpy(),
        "services_pooled": candidates["services_pooled"].astype(int).to_numpy(),
        "saving_gbp_m": candidates["saving_gbp_thousand"].to_numpy() / 1000.0,
        "saving_gbp_m_low": candidates["saving_low_gbp_thousand"].to_numpy() / 1000.0,
        "saving_gbp_m_high": candidates["saving_high_gbp_thousand"].to_numpy() / 1000.0,
        "council_saving_gbp_m": candidates["council_saving_gbp_thousand"].to_numpy() / 1000.0,
        "saving_pct": candidates["saving_pct_of_combined_spend"].to_numpy(),
        "saving_pct_low": candidates["saving_pct_of_combined_spend_low"].to_numpy(),
        "saving_pct_high": candidates["saving_pct_of_combined_spend_high"].to_numpy(),
    })


def saving_words(gbp_m: float) -> str:
    """A saving in words that reads right for either sign (£m a year).

    Examples
    --------
    >>> saving_words(0.83), saving_words(-2.3)
    ('save £0.8m a year', 'add £2.3m a year to spending')
    """
    return f"save £{gbp_m:.1f}m a year" if gbp_m >= 0 else f"add £{-gbp_m:.1f}m a year to spending"


def gbp_m_text(gbp_m: float) -> str:
    """£m with the sign in front of the pound sign.

    Examples
    --------
    >>> gbp_m_text(2.16), gbp_m_text(-29.1)
    ('£2.2m', '-£29.1m')
    """
    return f"-£{-gbp_m:.1f}m" if gbp_m < 0 else f"£{gbp_m:.1f}m"


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
        return (f"the best far candidate ({far_max_pct:.1f}% of combined spend) does at least as well as the "
                f"best near one ({near_max_pct:.1f}%): on these estimates partners need not be neighbours")
    return (f"the best near candidate ({near_max_pct:.1f}% of combined spend) does better than the best far "
            f"one ({far_max_pct:.1f}%): for this council the estimates favour a neighbour")
