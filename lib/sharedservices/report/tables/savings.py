"""Tables for the savings-potential report (20): what sharing could save, by class of council.

Pure functions, DataFrame in, DataFrame out, no I/O.  Inputs are the long table of
:func:`sharedservices.model.national.savings_potential` (one row per council and programme,
shares as fractions) and a council frame ``ecode, name, class``.  Outputs give
percentages with their basis in the column name: ``_pct_of_tse`` (total service
expenditure, the basis of NLGN's 1.8 % / 3.6 % and of "close to 10 %") or
``_pct_of_core_spending``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

__all__ = [
    "england_share_of_tse",
    "BASES",
    "EVIDENCE_KEYS",
    "evidence_keys",
    "EVIDENCE_KINDS",
    "council_savings",
    "evidence_kind",
    "reach_by_class",
    "savings_by_class",
    "savings_evidence",
    "savings_long",
    "savings_totals",
]

#: Share columns by basis name, and the suffix of the percentage columns they become.
BASES: dict[str, tuple[str, str]] = {
    "tse": ("share_of_tse", "pct_of_tse"),
    "core_spending": ("share_of_core_spending", "pct_of_core_spending"),
}
#: Evidence on savings rates and on how much of a promised saving is realised (keys in
#: savings_evidence.yaml); context figures such as the savings councils needed or the
#: size of the back office are left out.
EVIDENCE_KEYS: tuple[str, ...] = tuple(f"savings_evidence.{k}" for k in (
    "back_office_realistic", "back_office_best_case", "ambitious_target", "cpbs_planned_saving_rate",
    "tri_borough_target_saving_rate", "tri_borough_target_share_of_budget",
    "merger_saving_share_babergh_mid_suffolk", "nhs_sbs_gross_saving_rate", "hmps_saving_rate",
    "imc_waste_cost_saving", "imc_waste_cost_saving_nl_2014", "imc_total_spending_effect",
    "sw1_realised_share", "benefit_realisation_haircut",
))
#: How a piece of savings evidence is labelled.
EVIDENCE_KINDS: tuple[str, ...] = ("published estimate", "peer-reviewed study", "claim")


def _order(values: Sequence[str]) -> list[str]:
    from sharedservices.report.style import CLASS_ORDER

    present = set(values)
    return [c for c in CLASS_ORDER if c in present] + sorted(present - set(CLASS_ORDER))


def _column(basis: str, kind: str) -> str:
    if basis not in BASES:
        raise KeyError(f"basis: {basis!r} (allowed: {', '.join(BASES)})")
    if kind not in ("gross", "net"):
        raise KeyError(f"kind: {kind!r} (allowed: gross, net)")
    return f"{kind}_{BASES[basis][0]}"


def _with_class(potential: pd.DataFrame, councils: pd.DataFrame) -> pd.DataFrame:
    return potential.drop(columns=["class"], errors="ignore").merge(councils[["ecode", "class"]], on="ecode",
                                                                     how="inner")


def savings_long(potential: pd.DataFrame, councils: pd.DataFrame, basis: str = "tse",
                 kind: str = "gross") -> pd.DataFrame:
    """One row per council and programme: ``ecode, class, programme, pct_of_<basis>``.

    Examples
    --------
    >>> p = pd.DataFrame({"ecode": ["A"], "programme": "broad", "net_share_of_core_spending": [0.05]})
    >>> c = pd.DataFrame({"ecode": ["A"], "class": ["SD"]})
    >>> savings_long(p, c, "core_spending", "net")["pct_of_core_spending"].tolist()
    [5.0]
    """
    col = _column(basis, kind)
    df = _with_class(potential, councils)
    return pd.DataFrame({"ecode": df["ecode"], "class": df["class"], "programme": df["programme"],
                         BASES[basis][1]: 100.0 * df[col]})


def savings_by_class(potential: pd.DataFrame, councils: pd.DataFrame, basis: str = "tse",
                     kind: str = "gross") -> pd.DataFrame:
    """Median and quartiles of the steady-state saving by class and programme, %.

    Parameters
    ----------
    potential : DataFrame
        :func:`sharedservices.model.national.savings_potential`.
    councils : DataFrame
        ``ecode, class``.
    basis : {"tse", "core_spending"}
    kind : {"gross", "net"}
        Before or after the programme's running costs (gross is the basis on which the
        back office is calibrated to NLGN's 1.8 %).

    Returns
    -------
    DataFrame
        Index (``programme``, ``class`` incl. ``All``); ``councils`` (count),
        ``lower_quartile_pct_of_<basis>``, ``median_pct_of_<basis>``,
        ``upper_quartile_pct_of_<basis>``.

    Examples
    --------
    >>> p = pd.DataFrame({"ecode": ["A", "B"], "programme": "back_office",
    ...                   "gross_share_of_tse": [0.02, 0.04]})
    >>> c = pd.DataFrame({"ecode": ["A", "B"], "class": ["SD", "SD"]})
    >>> savings_by_class(p, c).loc[("back_office", "SD"), "median_pct_of_tse"]
    np.float64(3.0)
    """
    col = _column(basis, kind)
    suffix = BASES[basis][1]
    df = _with_class(potential, councils)
    rows = {}
    for prog in dict.fromkeys(df["programme"]):
        d = df[df["programme"] == prog]
        for klass in [*_order(list(d["class"])), "All"]:
            v = 100.0 * (d[col] if klass == "All" else d.loc[d["class"] == klass, col]).dropna()
            rows[(prog, klass)] = {
                "councils": v.size,
                f"lower_quartile_{suffix}": v.quantile(0.25),
                f"median_{suffix}": v.median(),
                f"upper_quartile_{suffix}": v.quantile(0.75),
            }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index = pd.MultiIndex.from_tuples(out.index, names=["programme", "class"])
    out["councils"] = out["councils"].astype("int64")
    return out


def reach_by_class(potential: pd.DataFrame, councils: pd.DataFrame, target: float,
                   basis: str = "tse", kind: str = "gross") -> pd.DataFrame:
    """Share of councils whose steady-state saving reaches ``target``, by class and programme.

    Parameters
    ----------
    target : float
        The target as a fraction of the basis (e.g. 0.10 for "close to 10 %").

    Returns
    -------
    DataFrame
        Index ``class`` (plus ``All``), one column per programme: % of the class's
        councils reaching the target (councils with no positive basis are left out).

    Examples
    --------
    >>> p = pd.DataFrame({"ecode": ["A", "B"], "programme": "broad",
    ...                   "gross_share_of_tse": [0.12, 0.04]})
    >>> c = pd.DataFrame({"ecode": ["A", "B"], "class": ["UA", "UA"]})
    >>> reach_by_class(p, c, 0.10).loc["UA", "broad"]
    np.float64(50.0)
    """
    col = _column(basis, kind)
    df = _with_class(potential, councils).dropna(subset=[col])
    df = df.assign(reached=df[col] >= target - 1e-12)
    by = df.pivot_table(index="class", columns="programme", values="reached", aggfunc="mean", sort=False)
    by = by.reindex(_order(list(by.index)))
    by.loc["All"] = df.groupby("programme", sort=False)["reached"].mean()
    by = 100.0 * by[list(dict.fromkeys(df["programme"]))].astype(float)
    by.columns.name = None
    return by


def england_share_of_tse(potential: pd.DataFrame) -> pd.Series:
    """England-wide gross saving as a share of England's total service expenditure, by programme (%).

    The spend-weighted counterpart of the median council: the sum of every council's gross
    steady-state saving over the sum of their total service expenditure (TSE), the basis of
    NLGN's 1.8 % / 3.6 %, which were stated for spending as a whole.  Each council's TSE is
    recovered exactly as ``gross_gbp_thousand / gross_share_of_tse`` from its back-office row
    (every council has central services, so that share is positive).

    Examples
    --------
    >>> p = pd.DataFrame({"ecode": ["A", "B", "A", "B"],
    ...                   "programme": ["back_office", "back_office", "broad", "broad"],
    ...                   "gross_gbp_thousand": [20.0, 30.0, 50.0, 10.0],
    ...                   "gross_share_of_tse": [0.02, 0.10, 0.05, 0.0333]})
    >>> england_share_of_tse(p).round(2).to_dict()
    {'back_office': 3.85, 'broad': 4.62}
    """
    back = potential[potential["programme"] == "back_office"]
    back = back[back["gross_share_of_tse"] > 0]
    tse_total = float((back["gross_gbp_thousand"] / back["gross_share_of_tse"]).sum())
    kept = potential[potential["ecode"].isin(back["ecode"])]
    gross = kept.groupby("programme", sort=False)["gross_gbp_thousand"].sum()
    return 100.0 * gross / tse_total


def savings_totals(potential: pd.DataFrame, councils: pd.DataFrame) -> pd.DataFrame:
    """England totals of the steady-state saving by programme and class (£m, 2010-11 prices).

    Returns
    -------
    DataFrame
        Index ``class`` (plus ``All``), one column per programme: gross saving, £m.

    Examples
    --------
    >>> p = pd.DataFrame({"ecode": ["A", "B"], "programme": "broad",
    ...                   "gross_gbp_thousand": [1500.0, 500.0]})
    >>> c = pd.DataFrame({"ecode": ["A", "B"], "class": ["UA", "SD"]})
    >>> savings_totals(p, c).loc["All", "broad"]
    np.float64(2.0)
    """
    df = _with_class(potential, councils)
    by = df.pivot_table(index="class", columns="programme", values="gross_gbp_thousand",
                        aggfunc="sum", sort=False)
    by = by.reindex(_order(list(by.index)))
    by.loc["All"] = df.groupby("programme", sort=False)["gross_gbp_thousand"].sum()
    by = by[list(dict.fromkeys(df["programme"]))] / 1e3
    by.columns.name = None
    return by


def council_savings(potential: pd.DataFrame, councils: pd.DataFrame, basis: str = "tse",
                    kind: str = "gross") -> pd.DataFrame:
    """One row per council: name, class and each programme's saving, % of the basis.

    Examples
    --------
    >>> p = pd.DataFrame({"ecode": ["A"], "programme": "broad", "gross_share_of_tse": [0.05]})
    >>> c = pd.DataFrame({"ecode": ["A"], "name": ["Adur"], "class": ["SD"]})
    >>> council_savings(p, c).loc["A", "broad"]
    np.float64(5.0)
    """
    col = _column(basis, kind)
    wide = potential.pivot(index="ecode", columns="programme", values=col) * 100.0
    wide = wide[list(dict.fromkeys(potential["programme"]))]
    wide.columns.name = None
    info = councils.set_index("ecode")[["name", "class"]]
    out = info.join(wide, how="inner")
    order = {c: i for i, c in enumerate(_order(list(out["class"])))}
    return out.sort_values(["class", "name"], key=lambda s: s.map(order) if s.name == "class" else s)


def evidence_kind(quality: str, quality_note: str) -> str:
    """Label a piece of savings evidence from its rating and note.

    Green-rated figures are published estimates; amber figures from peer-reviewed
    studies (note starting "Peer-reviewed") are studies; every other amber or red figure
    is a claim (a plan, target or self-reported saving from a council, the press or a
    review page), not audited outturn.

    Examples
    --------
    >>> evidence_kind("green", "The benchmark itself")
    'published estimate'
    >>> evidence_kind("amber", "Peer-reviewed, but Czech")
    'peer-reviewed study'
    >>> evidence_kind("amber", "A planned rate reported in the press")
    'claim'
    """
    if str(quality_note).strip().lower().startswith("peer-reviewed"):
        return "peer-reviewed study"
    return "published estimate" if quality == "green" else "claim"


def savings_evidence(assumption_table: pd.DataFrame) -> pd.DataFrame:
    """The savings-rate evidence as a report table, each row labelled by kind.

    Parameters
    ----------
    assumption_table : DataFrame
        :func:`sharedservices.inputs.assumptions.table` for the keys to show (``key, value,
        unit, source_title, source_url, quality, quality_note``).

    Returns
    -------
    DataFrame
        ``evidence`` (published estimate, peer-reviewed study or claim), ``value``,
        ``basis`` (the unit), ``source``, ``quality``, ``key``.

    Examples
    --------
    >>> t = pd.DataFrame({"key": ["k"], "value": ["20 %"], "unit": ["fraction of cost"],
    ...     "source_title": ["Press"], "source_url": ["https://x.org"], "quality": ["amber"],
    ...     "quality_note": ["A claim"]})
    >>> savings_evidence(t)["evidence"].tolist()
    ['claim']
    """
    out = pd.DataFrame({
        "evidence": [evidence_kind(q, n) for q, n in zip(assumption_table["quality"],
                                                          assumption_table["quality_note"], strict=True)],
        "value": assumption_table["value"].to_numpy(),
        "basis": assumption_table["unit"].to_numpy(),
        "source": [f"{t} ({u})" if isinstance(u, str) and u else str(t)
                   for t, u in zip(assumption_table["source_title"], assumption_table["source_url"], strict=True)],
        "quality": assumption_table["quality"].to_numpy(),
        "key": assumption_table["key"].to_numpy(),
    })
    rank = {k: i for i, k in enumerate(EVIDENCE_KINDS)}
    out = out.assign(_r=out["evidence"].map(rank).fillna(len(rank)).astype(int))
    return out.sort_values(["_r", "key"], kind="stable").drop(columns="_r").reset_index(drop=True)




def evidence_keys(records: Mapping[str, Any]) -> list[str]:
    """The keys of :data:`EVIDENCE_KEYS` present among ``records`` (in that order).

    Parameters
    ----------
    records : mapping of str to Assumption
        :func:`sharedservices.inputs.assumptions.load_all`.

    Examples
    --------
    >>> evidence_keys({"savings_evidence.back_office_realistic": None, "prices.gdp_deflator": None})
    ['savings_evidence.back_office_realistic']
    """
    return [k for k in EVIDENCE_KEYS if k in records]
