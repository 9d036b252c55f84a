"""Headlines of ``50-scale-and-partners``: scale elasticities, pooling and the best partners.

:func:`analysis` runs the fits and the partner search once per parameter set (cached) and
returns every table the notebook shows; :func:`headlines` reads its numbers from there.
Elasticities are dimensionless; money is £m a year, real 2010-11 prices; percentages are of
the combined spend on the services pooled.
"""

from __future__ import annotations

import functools
from typing import Any

from sharedservices.findings import register

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
        ``pooling`` (:func:`sharedservices.scale.pooling_table`, 2 and 3 councils),
        ``residuals`` and ``influence`` (of ``diagnostic_service``), ``candidates``
        (:func:`sharedservices.partners.candidate_partners`), ``council_name``.
        Cached: treat the frames as read-only.
    """
    return _analysis(council, year, n_near, n_far, diagnostic_service, *_data_dirs())


def _data_dirs() -> tuple[str, str]:
    """The processed and assumptions directories: part of the cache key, so a redirected
    data directory (tests) never sees another directory's results."""
    from sharedservices import paths

    return str(paths.processed_dir()), str(paths.assumptions_dir())


@functools.lru_cache(maxsize=8)
def _analysis(council: str, year: str, n_near: int, n_far: int, diagnostic_service: str,
              processed: str, assumptions_dir: str) -> dict[str, Any]:
    from sharedservices import data, partners, scale

    councils, spending = data.councils(), data.spending()
    ecode = data.resolve_council(council)
    fits = scale.fit_services(councils, spending, year)
    if diagnostic_service not in fits:
        from sharedservices.errors import InputError

        raise InputError(f"diagnostic_service: {diagnostic_service!r} has no fit in {year} "
                         f"(allowed: {', '.join(fits)})")
    coefs = scale.coefficients(fits)
    return {
        "fits": fits,
        "coefficients": coefs,
        "left_out": scale.left_out(fits),
        "pooling": scale.pooling_table(fits, (2, 3)),
        "residuals": scale.residuals(fits[diagnostic_service]),
        "influence": scale.influence(fits[diagnostic_service]),
        "candidates": partners.candidate_partners(ecode, councils, spending, coefs,
                                                  n_near=n_near, n_far=n_far),
        "council_name": str(councils.loc[councils["ecode"] == ecode, "name"].iloc[0]),
    }


def _best(candidates, kind: str) -> dict[str, Any]:
    part = candidates[candidates["kind"] == kind]
    keys = ("name", "saving_gbp_m", "saving_gbp_m_low", "saving_gbp_m_high", "council_saving_gbp_m",
            "saving_pct", "max_saving_pct", "count")
    if part.empty:
        return {f"{kind}_{k}": (0 if k == "count" else None) for k in keys}
    top = part.sort_values("rank").iloc[0]
    return {
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
    return out
