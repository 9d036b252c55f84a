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
"""

from __future__ import annotations

import functools
from typing import Any

from sharedservices.report.findings import register

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
