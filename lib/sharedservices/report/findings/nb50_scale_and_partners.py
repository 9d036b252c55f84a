"""Headlines of ``50-scale-and-partners``: scale elasticities, pooling and the best partners.

:func:`analysis` runs the fits and the partner search once per parameter set (cached) and
returns every table the notebook shows; :func:`headlines` reads its numbers from there.
Elasticities are dimensionless; money is £m a year, real 2010-11 prices; percentages are of
the combined spend on the services pooled.

Four models are fitted for every service (see :mod:`sharedservices.model.scale`):

* **baseline**: one slope, class and region effects, HC3 errors (the report's model before
  issue 12; the ``central_*``, ``tse_*``, ``services_with_*`` and ``central_pool*`` keys);
* **controlled**: one slope, plus density and deprivation, errors clustered by county
  area (``*_controlled_*`` keys);
* **by class**, without and with the controls, clustered: one slope per class (the
  ``central_<class>_*`` keys are with the controls). The partner savings use the
  controlled common slope of each service: outside districts the per-class slopes are
  mostly indistinguishable from zero, too uncertain to price a pairing on.

:func:`finding_lines` and the ``*_title`` functions write the key findings and the figure
titles from the headlines (and the tables they quote, passed in), every number through
:mod:`sharedservices.report.format` (elasticities with the minus sign U+2212).
"""

from __future__ import annotations

import functools
from typing import Any

import pandas as pd

from sharedservices.report.findings import Headlines, register
from sharedservices.report.format import change, count, number
from sharedservices.report.tables.scale import CLASS_WORDS, interval_words, saving_words

__all__ = ["CENTRAL", "SIZE_STEP", "TOTAL", "analysis", "class_evidence_words", "coefficients_title",
           "distance_words", "finding_lines", "geography_note", "headlines", "match_title", "partner_title"]

#: Illustrative size step for the key findings: a council this much larger (fraction).
SIZE_STEP = 0.1
#: Services whose coefficients are headlined (the back office, and the single-tier total).
CENTRAL = "central"
TOTAL = "total_service_expenditure"


def analysis(council: str, year: str, n_near: int, n_far: int, diagnostic_service: str) -> dict[str, Any]:
    """Fit the scale models of ``year`` and rank partners for ``council``.

    Returns
    -------
    dict
        ``fits`` (service -> ServiceFit), ``coefficients``, ``left_out`` (not by design),
        ``pooling`` (:func:`sharedservices.model.scale.pooling_table`, 2 and 3 councils),
        ``residuals`` and ``influence`` (of ``diagnostic_service``), ``candidates``
        (:func:`sharedservices.model.partners.candidate_partners`), ``council_name``.
        Cached: treat the frames as read-only.
    """
    return _analysis(council, year, n_near, n_far, diagnostic_service, *_data_dirs())


def _data_dirs() -> tuple[str, str]:
    """The processed and assumptions directories: part of the cache key, so a redirected
    data directory (tests) never sees another directory's results."""
    from sharedservices.inputs import paths

    return str(paths.processed_dir()), str(paths.assumptions_dir())


@functools.lru_cache(maxsize=8)
def _analysis(council: str, year: str, n_near: int, n_far: int, diagnostic_service: str,
              processed: str, assumptions_dir: str) -> dict[str, Any]:
    from sharedservices.inputs import assumptions, data
    from sharedservices.model import partners, scale

    councils, spending, geography = data.councils(), data.spending(), data.geography()
    ecode = data.resolve_council(council)
    fits = scale.fit_services(councils, spending, year)
    if diagnostic_service not in fits:
        from sharedservices.errors import InputError

        raise InputError(f"diagnostic_service: {diagnostic_service!r} has no fit in {year} "
                         f"(allowed: {', '.join(fits)})")
    controlled = dict(controls=scale.ALL_CONTROLS, geography=geography, covariance="cluster")
    fits_ctrl = scale.fit_services(councils, spending, year, **controlled)
    fits_class = scale.fit_services(councils, spending, year, slopes="by_class", **controlled)
    fits_class_base = scale.fit_services(councils, spending, year, slopes="by_class", covariance="cluster")
    coefs = scale.coefficients(fits)
    by_class = scale.class_coefficients(fits_class)
    by_class_base = scale.class_coefficients(fits_class_base)
    compare = by_class_base[["service", "class", "n", "elasticity", "ci_low", "ci_high", "evidence"]].merge(
        by_class[["service", "class", "n", "elasticity", "ci_low", "ci_high", "evidence"]],
        on=["service", "class"], suffixes=("_without", "_with"), how="outer")
    near_km = float(assumptions.value("scale.near_km"))
    principal = councils[councils["principal"].astype(bool)]
    geo = geography.set_index("ecode")
    missing_geo = geo[geo["area_km2"].isna() | geo["imd2010_score"].isna()].reset_index().merge(
        principal[["ecode", "population_source"]], on="ecode", how="left")
    overlap = partners.overlap_partners(ecode, councils)
    with_pop = principal[principal["population_2011"] > 0]
    national_overlap = int(sum(partners.overlap_partners(e, councils)["ecode"].isin(with_pop["ecode"]).sum()
                               for e in with_pop.loc[with_pop["class"] == "SC", "ecode"]))
    return {
        "fits": fits,
        "coefficients": coefs,
        "coefficients_controlled": scale.coefficients(fits_ctrl),
        "class_coefficients": by_class,
        "class_compare": compare,
        "left_out": scale.left_out(fits),
        "left_out_controlled": scale.left_out(fits_class),
        "pooling": scale.pooling_table(fits, (2, 3)),
        "pooling_by_class": scale.pooling_table(fits_class, (2, 3)),
        "residuals": scale.residuals(fits[diagnostic_service]),
        "influence": scale.influence(fits[diagnostic_service]),
        # partner savings price each service on its controlled common slope: the per-class
        # slopes are mostly indistinguishable from zero, too uncertain to price a pairing
        "candidates": partners.candidate_partners(ecode, councils, spending, scale.class_coefficients(fits_ctrl),
                                                  n_near=n_near,
                                                  n_far=n_far, geography=geography, near_km=near_km),
        "overlap": overlap,
        "national_overlap_pairs": national_overlap,
        "match": partners.match_by_distance(councils, spending, geography, year, near_km=near_km),
        "geography_missing": missing_geo,
        "geography_councils": int(len(principal)),
        "near_km": near_km,
        "council_name": str(councils.loc[councils["ecode"] == ecode, "name"].iloc[0]),
        "council_class": str(councils.loc[councils["ecode"] == ecode, "class"].iloc[0]),
    }


def _best(candidates, kind: str) -> dict[str, Any]:
    part = candidates[candidates["kind"] == kind]
    keys = ("name", "saving_gbp_m", "saving_gbp_m_low", "saving_gbp_m_high", "council_saving_gbp_m",
            "saving_pct", "max_saving_pct", "count", "km", "interval_includes_loss")
    if part.empty:
        return {f"{kind}_{k}": (0 if k == "count" else None) for k in keys}
    top = part.sort_values("rank").iloc[0]
    return {
        f"{kind}_km": float(top["distance_km"]),
        f"{kind}_interval_includes_loss": int(bool(top["interval_includes_loss"])),
        f"{kind}_name": str(top["name"]),
        f"{kind}_saving_gbp_m": float(top["saving_gbp_thousand"]) / 1000.0,
        f"{kind}_saving_gbp_m_low": float(top["saving_low_gbp_thousand"]) / 1000.0,
        f"{kind}_saving_gbp_m_high": float(top["saving_high_gbp_thousand"]) / 1000.0,
        f"{kind}_council_saving_gbp_m": float(top["council_saving_gbp_thousand"]) / 1000.0,
        f"{kind}_saving_pct": float(top["saving_pct_of_combined_spend"]),
        f"{kind}_max_saving_pct": float(part["saving_pct_of_combined_spend"].max()),
        f"{kind}_count": len(part),
    }


@register("50-scale-and-partners")
def headlines(council: str, year: str = "2011-12", n_near: int = 5, n_far: int = 5,
              diagnostic_service: str = CENTRAL) -> dict[str, float | int | str | None]:
    """Headline numbers of the scale-and-partners report (see the module docstring).

    ``central_per_head_change_pct`` is the % change in central-services spending per head
    for a council ``central_size_step_pct`` % larger.  ``near_*`` / ``far_*`` describe the most similar near and far candidate (rank 1) and
    the largest saving among each kind (``_max_saving_pct``).
    """
    a = analysis(council, year, n_near, n_far, diagnostic_service)
    coefs = a["coefficients"].set_index("service")
    lines = coefs.drop(index=[TOTAL, "net_current_expenditure"], errors="ignore")
    pool = a["pooling"].set_index(["service", "councils_pooled"])
    lo = a["left_out"]
    infl = a["influence"]
    out: dict[str, float | int | str | None] = {
        "council_name": a["council_name"],
        "services_fitted": len(lines),
        "services_with_economies": int((lines["ci_high"] < 0).sum()),
        "services_with_diseconomies": int((lines["ci_low"] > 0).sum()),
        "councils_left_out": int(lo["ecode"].nunique()),
        "councils_no_population": int(lo.loc[lo["reason_code"] == "no_population", "ecode"].nunique()),
        "diagnostic_influential_count": int(infl["influential"].sum()),
        "diagnostic_most_influential": str(infl["name"].iloc[0]),
    }
    for service, prefix in ((CENTRAL, "central"), (TOTAL, "tse")):
        if service in coefs.index:
            row = coefs.loc[service]
            out.update({f"{prefix}_elasticity": float(row["elasticity"]),
                        f"{prefix}_ci_low": float(row["ci_low"]),
                        f"{prefix}_ci_high": float(row["ci_high"]),
                        f"{prefix}_councils": int(row["n"])})
    if "central_elasticity" in out:
        step = (1.0 + SIZE_STEP) ** float(out["central_elasticity"]) - 1.0
        out["central_size_step_pct"] = 100.0 * SIZE_STEP
        out["central_per_head_change_pct"] = 100.0 * step
    for k in (2, 3):
        if (CENTRAL, k) in pool.index:
            row = pool.loc[(CENTRAL, k)]
            out.update({f"central_pool{k}_saving_pct": float(row["saving_pct"]),
                        f"central_pool{k}_saving_pct_low": float(row["saving_pct_low"]),
                        f"central_pool{k}_saving_pct_high": float(row["saving_pct_high"])})
    out.update(_best(a["candidates"], "near"))
    out.update(_best(a["candidates"], "far"))
    out.update(_controlled(a))
    out.update(_partners(a))
    return out


CLASS_KEYS = {"SC": "sc", "SD": "sd", "UA": "ua", "MD": "md", "L": "l"}


def _controlled(a: dict[str, Any]) -> dict[str, float | int | str | None]:
    """Keys of the controlled models: one slope, and one per class (central services)."""
    ctrl = a["coefficients_controlled"].set_index("service")
    lines = ctrl.drop(index=[TOTAL, "net_current_expenditure"], errors="ignore")
    out: dict[str, float | int | str | None] = {
        "services_with_economies_controlled": int((lines["ci_high"] < 0).sum()),
        "geography_councils_missing": int(len(a["geography_missing"])),
    }
    for service, prefix in ((CENTRAL, "central"), (TOTAL, "tse")):
        if service in ctrl.index:
            row = ctrl.loc[service]
            out.update({f"{prefix}_controlled_elasticity": float(row["elasticity"]),
                        f"{prefix}_controlled_ci_low": float(row["ci_low"]),
                        f"{prefix}_controlled_ci_high": float(row["ci_high"]),
                        f"{prefix}_controlled_councils": int(row["n"]),
                        f"{prefix}_controlled_clusters": int(row["n_clusters"])})
    cls = a["class_coefficients"]
    central = cls[cls["service"] == CENTRAL].set_index("class")
    out["central_classes_fitted"] = int(len(central))
    out["central_classes_with_economies"] = int((central["evidence"] == "economies").sum())
    for c, key in CLASS_KEYS.items():
        if c in central.index:
            row = central.loc[c]
            out.update({f"central_{key}_elasticity": float(row["elasticity"]),
                        f"central_{key}_ci_low": float(row["ci_low"]),
                        f"central_{key}_ci_high": float(row["ci_high"]),
                        f"central_{key}_councils": int(row["n"])})
    lines_cls = cls[~cls["service"].isin([TOTAL, "net_current_expenditure"])]
    out["class_lines_fitted"] = int(len(lines_cls))
    out["class_lines_with_economies"] = int((lines_cls["evidence"] == "economies").sum())
    return out


def _partners(a: dict[str, Any]) -> dict[str, float | int | str | None]:
    """Keys of the partner search and of the test of distance."""
    cand = a["candidates"]
    tests = a["match"]["tests"].set_index(["group", "measure"])
    out: dict[str, float | int | str | None] = {
        "near_km_threshold": a["near_km"],
        "pairs_removed_overlap": int(len(a["overlap"])),
        "pairs_removed_overlap_national": int(a["national_overlap_pairs"]),
        "pairs_shown": int(len(cand)),
        "pairs_interval_includes_loss": int(cand["interval_includes_loss"].sum()),
    }
    for group, key in (("shire districts", "sd"), ("single-tier councils", "single_tier"),
                       ("shire counties", "sc")):
        for measure, mkey in (("mix_distance", "mix"), ("cost_distance", "cost")):
            if (group, measure) in tests.index:
                row = tests.loc[(group, measure)]
                out.update({f"match_{key}_{mkey}_r": float(row["r"]),
                            f"match_{key}_{mkey}_p": float(row["p_value"]),
                            f"match_{key}_{mkey}_far_to_near": float(row["far_to_near"])})
    return out


def geography_note() -> str:
    """One line naming the external geography table, its sources and its sha256."""
    import hashlib

    from sharedservices.inputs import data

    path = data.external_dir() / data.GEOGRAPHY_FILE
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return (f"council areas, centres and IMD 2010 scores from data/external/{data.GEOGRAPHY_FILE} "
            f"(sha256 {digest[:12]}…), derived from mysociety/uk_local_authority_names_and_codes @67ef8b1 "
            "(CC BY 4.0) and humaniverse/IMD @fa0bf11 (MIT; data OGL v3.0); see data/external/README.md.")


def _e(x: float | None) -> str:
    """An elasticity (dimensionless), two decimals, with the minus sign."""
    return number(x, 2)


def _and(items: list[str]) -> str:
    """Items joined as a reader lists them.

    >>> _and(["a"]), _and(["a", "b", "c"]), _and([])
    ('a', 'a, b and c', '')
    """
    return "" if not items else items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def class_evidence_words(rows: pd.DataFrame) -> str:
    """Which classes' intervals support economies of scale, in words.

    Parameters
    ----------
    rows : DataFrame
        One service's rows of :func:`sharedservices.model.scale.class_coefficients` (``class, n,
        elasticity, ci_low, ci_high, evidence``).

    Examples
    --------
    >>> r = pd.DataFrame({"class": ["SD", "UA"], "n": [177, 52], "elasticity": [-0.42, -0.18],
    ...     "ci_low": [-0.59, -0.44], "ci_high": [-0.25, 0.08],
    ...     "evidence": ["economies", "not_supported"]})
    >>> print(class_evidence_words(r))
    the evidence supports an economy of scale only for shire districts (elasticity −0.42, 95% interval −0.59 to −0.25, 177 councils); it does not for unitaries (−0.18, −0.44 to 0.08, 52 councils), whose interval includes 0
    """
    said = {"first": False}

    def one(r: pd.Series) -> str:
        words = ("elasticity ", "95% interval ") if not said["first"] else ("", "")
        said["first"] = True
        return (f"{CLASS_WORDS.get(r['class'], r['class'])} ({words[0]}{_e(r['elasticity'])}, {words[1]}"
                f"{_e(r['ci_low'])} to {_e(r['ci_high'])}, {count(r['n'])} councils)")

    groups = {kind: [one(r) for _, r in rows.iterrows() if r["evidence"] == kind]
              for kind in ("economies", "not_supported", "diseconomies")}
    yes, no, dis = groups["economies"], groups["not_supported"], groups["diseconomies"]
    parts = [f"the evidence supports an economy of scale only for {_and(yes)}" if yes
             else "the evidence supports an economy of scale for no class"]
    if no:
        parts.append(f"it does not for {_and(no)}, whose interval{'s include' if len(no) > 1 else ' includes'} 0")
    if dis:
        parts.append(f"and points to diseconomies for {_and(dis)}")
    return "; ".join(parts)


_MEASURES = ("mix_distance", "cost_distance")


def _grows(part: pd.DataFrame) -> bool:
    """Whether one group's mismatch grows with distance: a significant positive Mantel r and
    far pairs more than a tenth worse than near ones, on either measure."""
    return any(float(part.loc[m, "p_value"]) < 0.05 and float(part.loc[m, "r"]) > 0
               and float(part.loc[m, "far_to_near"]) > 1.1 for m in _MEASURES)


def _group_words(group: str, part: pd.DataFrame, near_km: float) -> str:
    """One group's test of distance, as a sentence."""
    r = [_e(float(part.loc[m, "r"])) for m in _MEASURES]
    p = [number(float(part.loc[m, "p_value"]), 2) for m in _MEASURES]
    far = [change(100.0 * (float(part.loc[m, "far_to_near"]) - 1.0), 1, "higher", "lower", "no different",
                  size_first=True) for m in _MEASURES]
    return (f"{group[:1].upper()}{group[1:]}: Mantel r {r[0]} for service mix and {r[1]} for cost structure "
            f"(permutation p {p[0]} and {p[1]}); the median mismatch of pairs {number(2 * near_km, 0)} km or more "
            f"apart is {far[0]} for mix and {far[1]} for cost than within {number(near_km, 0)} km.")


def distance_words(tests: pd.DataFrame, near_km: float) -> str:
    """What the test of distance says about "partners need not be neighbours": a verdict,
    then one sentence for each group of similar councils.

    Parameters
    ----------
    tests : DataFrame
        ``match_by_distance(...)["tests"]`` (``group, measure, r, p_value, far_to_near``).
    near_km : float
        The near threshold, km.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["shire districts"] * 2, "measure": ["mix_distance", "cost_distance"],
    ...     "r": [-0.04, -0.06], "p_value": [0.86, 0.96], "far_to_near": [1.02, 0.95]})
    >>> print(distance_words(t, 50))
    Partners need not be neighbours, tested on every pair of similar councils: for shire districts the mismatch of service mix and of cost structure does not rise significantly with distance. Shire districts: Mantel r −0.04 for service mix and −0.06 for cost structure (permutation p 0.86 and 0.96); the median mismatch of pairs 100 km or more apart is 2.0% higher for mix and 5.0% lower for cost than within 50 km.
    """
    parts = {str(g): part.set_index("measure") for g, part in tests.groupby("group", sort=False)}
    grows = [g for g, part in parts.items() if _grows(part)]
    flat = [g for g in parts if g not in grows]
    if not grows:
        head = (f"Partners need not be neighbours, tested on every pair of similar councils: for {_and(flat)} the "
                "mismatch of service mix and of cost structure does not rise significantly with distance.")
    else:
        head = (f"Tested on every pair of similar councils, partners farther away match less well among "
                f"{_and(grows)}, whose mismatch grows with distance"
                + (f"; for {_and(flat)} it does not rise significantly." if flat else "."))
    return " ".join([head, *(_group_words(g, part, near_km) for g, part in parts.items())])


def match_title(tests: pd.DataFrame, near_km: float) -> str:
    """Title of the figure of mismatch by distance: what the test says for one group.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["shire districts"] * 2, "measure": ["mix_distance", "cost_distance"],
    ...     "r": [-0.04, -0.06], "p_value": [0.86, 0.96], "far_to_near": [1.02, 0.95]})
    >>> match_title(t, 50)
    'Partners need not be neighbours: among shire districts the mismatch does not rise significantly with distance (Mantel r −0.04 and −0.06)'
    """
    out = []
    for group, part in tests.groupby("group", sort=False):
        part = part.set_index("measure")
        r = " and ".join(_e(float(part.loc[m, "r"])) for m in _MEASURES)
        out.append((f"Partners farther away match less well: among {group} the mismatch grows with distance "
                    if _grows(part) else
                    f"Partners need not be neighbours: among {group} the mismatch does not rise significantly with "
                    "distance ") + f"(Mantel r {r})")
    return "; ".join(out)


def partner_title(h: Headlines) -> str:
    """Title of the figure of the candidates' savings.

    Examples
    --------
    >>> partner_title({"council_name": "Sutton", "pairs_interval_includes_loss": 10, "pairs_shown": 10,
    ...                "near_name": "Merton", "near_saving_gbp_m": 7.93})
    'Sutton: all 10 pairings have an interval that includes a loss; the most similar near partner (Merton) would save £7.9m a year'
    >>> partner_title({"council_name": "Sutton", "pairs_interval_includes_loss": 0, "pairs_shown": 4,
    ...                "near_name": None, "near_saving_gbp_m": None})
    'Sutton: none of 4 pairings has an interval that includes a loss; there is no near candidate'
    """
    loss, shown = int(h["pairs_interval_includes_loss"]), int(h["pairs_shown"])
    head = (f"all {count(shown)} pairings have" if loss == shown and shown else
            f"none of {count(shown)} pairings has" if not loss else
            f"{count(loss)} of {count(shown)} pairings have")
    near = ("there is no near candidate" if h["near_name"] is None else
            f"the most similar near partner ({h['near_name']}) would {saving_words(h['near_saving_gbp_m'])}")
    return f"{h['council_name']}: {head} an interval that includes a loss; {near}"


def coefficients_title(h: Headlines, year: str) -> str:
    """Title of the figure of the elasticities by service.

    Examples
    --------
    >>> coefficients_title({"services_with_economies": 3, "services_fitted": 12, "central_elasticity": -0.3}, "2011-12")
    "In 2011-12, with one slope and no density or deprivation controls, 3 of 12 service lines show economies of scale (central services' elasticity −0.30)"
    """
    k = int(h["services_with_economies"])
    return (f"In {year}, with one slope and no density or deprivation controls, {count(k)} "
            f"of {count(h['services_fitted'])} service lines show{'s' if k == 1 else ''} economies of scale (central services' elasticity "
            f"{_e(h.get('central_elasticity'))})")


def _partner_words(h: Headlines) -> str:
    """The most similar near and far partners and what pooling with each would save, in words.

    >>> h = {"council_name": "East Lindsey", "near_km_threshold": 50.0, "near_name": None, "far_name": "Horsham",
    ...      "far_km": 252.4, "far_saving_gbp_m": 1.54, "far_saving_gbp_m_low": -1.2, "far_saving_gbp_m_high": 4.1}
    >>> print(_partner_words(h))
    For East Lindsey, there is no near candidate (centre within 50 km). The most similar far partner is Horsham, 252 km away: pooling every service line but education would save £1.5m a year for the pair (£m, real 2010-11 prices); the interval (−£1.2m to £4.1m) includes a loss.
    >>> print(_partner_words({**h, "near_name": "Boston", "near_km": 30.0, "near_saving_gbp_m": -0.2,
    ...                       "near_saving_gbp_m_low": -1.0, "near_saving_gbp_m_high": 0.5}).split(": ")[2])
    pooling would save £1.5m a year for the pair (£m, real 2010-11 prices); the interval (−£1.2m to £4.1m) includes a loss.
    """
    near_km = number(h["near_km_threshold"], 0)

    def saving(kind: str) -> str:
        pooled = ("pooling every service line but education would" if kind == "near" or h["near_name"] is None
                  else "pooling would")
        return (f"{pooled} {saving_words(h[f'{kind}_saving_gbp_m'])} for the pair (£m, real 2010-11 prices); "
                f"{interval_words(h[f'{kind}_saving_gbp_m_low'], h[f'{kind}_saving_gbp_m_high'])}.")

    near = (f"there is no near candidate (centre within {near_km} km)." if h["near_name"] is None else
            f"the most similar near partner (centre within {near_km} km) is {h['near_name']}, "
            f"{number(h['near_km'], 0)} km away: {saving('near')}")
    far = ("There is no far candidate." if h["far_name"] is None else
           f"The most similar far partner is {h['far_name']}, {number(h['far_km'], 0)} km away: {saving('far')}")
    return f"For {h['council_name']}, {near} {far}"


def finding_lines(h: Headlines, class_coefficients: pd.DataFrame, match_tests: pd.DataFrame,
                  year: str = "2011-12") -> list[str]:
    """The key findings of the scale-and-partners report, from its headlines.

    Parameters
    ----------
    h : dict
        :func:`headlines` of the report.
    class_coefficients : DataFrame
        ``analysis(...)["class_coefficients"]`` (one slope per class, with the controls).
    match_tests : DataFrame
        ``analysis(...)["match"]["tests"]``.
    year : str
        The year the models are fitted on.

    Examples
    --------
    >>> a = analysis("E5014", "2011-12", 2, 2, "central")
    >>> h = headlines("E5014", n_near=2, n_far=2)
    >>> lines = finding_lines(h, a["class_coefficients"], a["match"]["tests"])
    >>> lines[0][:40], "-0" in " ".join(lines)
    ('Central services, 2011-12, one slope per', False)
    """
    name = h["council_name"]
    central = class_coefficients[class_coefficients["service"] == CENTRAL]
    by_class = (f"Central services, {year}, one slope per class with class, region, density and deprivation held "
                f"fixed (errors clustered by county area): {class_evidence_words(central)}.")
    pooled = (f"Pooled over classes the central-services elasticity is {_e(h.get('central_controlled_elasticity'))} "
              f"({_e(h.get('central_controlled_ci_low'))} to {_e(h.get('central_controlled_ci_high'))}) with the "
              f"controls and {_e(h.get('central_elasticity'))} ({_e(h.get('central_ci_low'))} to "
              f"{_e(h.get('central_ci_high'))}) without; the pooled figure is driven by the "
              f"{count(h.get('central_sd_councils') or 0)} shire districts.")
    lines = (f"Of {count(h['class_lines_fitted'])} service-and-class estimates, "
             f"{count(h['class_lines_with_economies'])} have the whole interval below zero; for single-tier councils' "
             f"total service expenditure the controlled elasticity is {_e(h.get('tse_controlled_elasticity'))} "
             f"({_e(h.get('tse_controlled_ci_low'))} to {_e(h.get('tse_controlled_ci_high'))}).")
    partners = _partner_words(h)
    loss, shown = int(h["pairs_interval_includes_loss"]), int(h["pairs_shown"])
    losses = ("No pairing is shown" if not shown else
              f"All {count(shown)} pairings shown have" if loss == shown else
              f"None of the {count(shown)} pairings shown has" if not loss else
              f"{count(loss)} of the {count(shown)} pairings shown have")
    overlap = int(h["pairs_removed_overlap"])
    overlaps = (f"No council's residents overlap {name}'s" if not overlap else
                f"One council whose residents overlap {name}'s (a county and a district inside it) is never a "
                "candidate" if overlap == 1 else
                f"{count(overlap)} councils whose residents overlap {name}'s (a county and a district inside it) are "
                "never candidates")
    pairs = ((f"{losses} an interval that includes a loss. " if shown else "No pairing is shown. ")
             + f"{overlaps}; in England {count(h['pairs_removed_overlap_national'])} county-district pairs share "
             "residents and are never paired.")
    missing = h["geography_councils_missing"]
    no_pop = h["councils_no_population"]
    left_out = (f"{count(no_pop)} councils have no exact 2011 population (they merged after 2011) and are left out "
                "of every fit; "
                + (f"the same {count(missing)} lack" if missing == no_pop else f"{count(missing)} lack")
                + " an area, centre or deprivation score. These are associations across councils, not effects of "
                "sharing.")
    return [by_class, pooled, lines, partners, pairs, distance_words(match_tests, float(h["near_km_threshold"])),
            left_out]
