"""The Monte Carlo engine against a straightforward per-draw Python loop of the same model.

``python bench/bench_mc_loop.py`` (also called by ``bench/run_all.py``).  Inputs: the
synthetic 12-service council of ``bench/bench_model.py``, years 0..14 (15 years), the cited
spreads, reserves financing, one seed.

* **engine**: :func:`sharedservices.model.uncertainty.simulate` (vectorised over draws x
  services x years, in chunks), timed on 100,000 draws;
* **loop**: :func:`per_draw_loop` below (timed once, on 100,000 draws by default), the way one would write it without vectorising:
  the same random numbers, then for each draw in a Python loop the deterministic model's
  own functions (``programmes.service_profiles``, ``financing.financing_flows``, the
  payback, NPV, coverage and front-line-cut metrics) on that one draw.

Both are first run on the same ``--check-draws`` draws and their results compared
(``numpy.allclose``, every output column and path).  With ``--loop-draws`` smaller than
``--draws`` (quicker), the loop's figure is its time scaled linearly (its cost per draw is
constant), and the report says so.  Runs pinned to one CPU and one BLAS thread where the OS allows.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
from sharedservices.model import (  # noqa: E402
    cited,
    cuts,
    finance,
    financing,
    gap,
    programmes,
    scenario,
    uncertainty,
)

SEED = 20110228
HORIZON = 14  # years 0..14: 15 years


def _bench_model() -> Any:
    spec = importlib.util.spec_from_file_location("bench_model", Path(__file__).with_name("bench_model.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def inputs() -> tuple[scenario.Resolved, dict[str, float]]:
    """Resolved scenario inputs of the synthetic 12-service council, and the cited spreads."""
    bm = _bench_model()
    si = scenario.resolve(bm.synthetic_council(), bm.twelve_service_programme(), horizon=HORIZON)
    return si, dict(cited.spreads())


def per_draw_loop(si: scenario.Resolved, option: str, spreads: dict[str, float], draws: int,
                  seed: int, discount: str = "green_book") -> dict[str, np.ndarray]:
    """The Monte Carlo written as a plain loop over draws (same random numbers as the engine).

    Each draw is the deterministic model on that draw's shocks, through the model's public
    functions: savings and one-off cost multipliers (the cost shock correlated with the
    delay shock at the cited correlation), lognormal lead and ramp multipliers, one failure
    year, exit costs, the financing option's flows, and front-line cuts with the cited
    persistence.
    """
    arrays = si.arrays
    path, fgap = si.path, si.gap
    t = np.arange(path.size)
    start = arrays.start_year
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((4, draws))
    u = 1.0 - rng.random(draws)
    rho = cited.delay_cost_correlation()
    pers = float(si.persistence)
    dfs = finance.discount_factors(t, cited.rate(discount))
    gap_even = cuts.funding_gap(cuts.even_path(path, si.n), si.pressure)
    fp = arrays.failure_probability
    if fp.size and np.all(fp == fp[0]):
        fp = fp[:1]
    partner = None
    if option == "gain_share":
        g0, _, c0 = programmes.service_profiles(arrays, t, savings_rate=si.savings_rate,
                                                one_off_ratio=si.one_off_ratio, lead=si.lead,
                                                ramp=si.ramp, running_ratio=si.running_ratio)
        partner = financing.partner_terms(c0, g0, start, si.terms)
    cv_lead = uncertainty.duration_cv(spreads["delay_years"], si.lead, arrays.addressable)
    cv_ramp = uncertainty.duration_cv(spreads["ramp_years"], si.ramp, arrays.addressable)
    out: dict[str, list[float]] = {k: [] for k in (
        "npv_gbp_thousand", "payback_year", "coverage_year1",
        "cumulative_frontline_cuts_gbp_thousand", "front_loading_penalty_gbp_thousand",
        "one_off_cost_gbp_thousand")}
    nets = []
    for i in range(draws):
        z_cost = rho * z[2, i] + np.sqrt(1.0 - rho * rho) * z[1, i]
        m_save = np.full((1, 1), uncertainty.lognormal_multiplier(z[0, i], spreads["savings_rate"]))
        m_cost = np.full((1, 1), uncertainty.lognormal_multiplier(z_cost, spreads["one_off_cost"]))
        m_lead = np.full((1, 1), uncertainty.lognormal_multiplier(z[2, i], cv_lead))
        m_ramp = np.full((1, 1), uncertainty.lognormal_multiplier(z[3, i], cv_ramp))
        fy = programmes.failure_years(np.array([[u[i]]]), start, fp)
        alive = (t < fy[..., None]).astype(float)
        gross, running, one_off = programmes.service_profiles(
            arrays, t,
            savings_rate=si.savings_rate * m_save,
            one_off_ratio=si.one_off_ratio * m_cost,
            lead=si.lead * m_lead,
            ramp=si.ramp * m_ramp,
            running_ratio=np.broadcast_to(si.running_ratio, (1, arrays.addressable.size)),
            alive=alive,
            exit_cost_ratio=float(si.exit_cost_ratio),
        )
        ff = financing.financing_flows(option, one_off, gross, start, si.terms,
                                       capital_share=float(si.capital_share),
                                       reserves_available=float(si.reserves_available),
                                       partner=partner)
        cash = gross - running - one_off
        net = cash + ff.financing
        cum = gap.cumulative_cuts(fgap - net, pers)
        out["npv_gbp_thousand"].append(float((cash * dfs).sum()))
        out["payback_year"].append(float(finance.payback_years(cash)[0]))
        out["coverage_year1"].append(float(np.asarray(gap.coverage(net[:, 1], fgap[1]))[0]))
        out["cumulative_frontline_cuts_gbp_thousand"].append(float(np.asarray(cum)[0]))
        out["front_loading_penalty_gbp_thousand"].append(
            float(np.asarray(cum - gap.cumulative_cuts(gap_even - net, pers))[0]))
        out["one_off_cost_gbp_thousand"].append(float(one_off.sum()))
        nets.append(net[0])
    result = {k: np.array(v) for k, v in out.items()}
    result["net"] = np.array(nets)
    return result


def check_equal(si: dict[str, Any], spreads: dict[str, float], draws: int) -> None:
    """Raise SystemExit unless the loop and the engine agree on ``draws`` draws."""
    engine = uncertainty.simulate(si, "reserves", spreads, draws, SEED)
    loop = per_draw_loop(si, "reserves", spreads, draws, SEED)
    for col in (c for c in engine.draws.columns if c in loop):
        a = engine.draws[col].to_numpy(dtype=float)
        if not np.allclose(a, loop[col], rtol=1e-9, atol=1e-6, equal_nan=True):
            raise SystemExit(f"bench_mc_loop: column {col!r} differs between engine and loop")
    if not np.allclose(engine.net_savings, loop["net"], rtol=1e-9, atol=1e-6):
        raise SystemExit("bench_mc_loop: net savings paths differ between engine and loop")


def measure(draws: int = 100_000, loop_draws: int = 100_000, check_draws: int = 2_000,
            repeats: int = 3, loop_repeats: int = 1) -> dict[str, Any]:
    """Time both; return the numbers (seconds) and the settings."""
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    except (AttributeError, OSError):
        pass
    si, spreads = inputs()
    check_equal(si, spreads, check_draws)
    uncertainty.simulate(si, "reserves", spreads, 1000, SEED)  # warm up
    engine = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        uncertainty.simulate(si, "reserves", spreads, draws, SEED)
        engine.append(time.perf_counter() - t0)
    loop = []
    for _ in range(loop_repeats):
        t0 = time.perf_counter()
        per_draw_loop(si, "reserves", spreads, loop_draws, SEED)
        loop.append(time.perf_counter() - t0)
    services = int(si.arrays.addressable.size)
    return {"draws": draws, "loop_draws": loop_draws, "check_draws": check_draws,
            "years": HORIZON + 1, "services": services, "engine": engine, "loop": loop,
            "loop_scaled": statistics.median(loop) * draws / loop_draws}


def markdown(r: dict[str, Any]) -> list[str]:
    """Lines of the BENCHMARKS.md section."""
    eng = statistics.median(r["engine"])
    same = r["loop_draws"] == r["draws"]
    scaled = "measured" if same else f"scaled linearly from {r['loop_draws']:,} draws"
    note = "" if same else (f"; the loop's time is its measured time per draw x {r['draws']:,}, "
                            "not a full run")
    return [
        f"Inputs: a synthetic council, {r['services']} services shared, {r['years']} years "
        "(0..14), the cited spreads, reserves financing, one CPU, one BLAS thread.",
        f"Results checked equal (every output column and net-savings path, `numpy.allclose`) on "
        f"{r['check_draws']:,} draws before timing.",
        "",
        f"| | draws timed | median s | runs (s) | s for {r['draws']:,} draws |",
        "|---|---:|---:|---|---:|",
        f"| Engine (`uncertainty.simulate`, vectorised) | {r['draws']:,} | {eng:.3f} | "
        f"{', '.join(f'{x:.3f}' for x in r['engine'])} | {eng:.3f} (measured) |",
        f"| Per-draw Python loop, same model functions | {r['loop_draws']:,} | "
        f"{statistics.median(r['loop']):.3f} | {', '.join(f'{x:.3f}' for x in r['loop'])} | "
        f"{r['loop_scaled']:.1f} ({scaled}) |",
        "",
        f"Ratio: the engine is **{r['loop_scaled'] / eng:.0f}x** faster than the loop "
        f"({r['loop_scaled']:.1f} s / {eng:.3f} s{note}).",
    ]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--draws", type=int, default=100_000)
    p.add_argument("--loop-draws", type=int, default=100_000)
    p.add_argument("--check-draws", type=int, default=2_000)
    a = p.parse_args(argv)
    print("\n".join(markdown(measure(a.draws, a.loop_draws, a.check_draws))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
