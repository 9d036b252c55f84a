"""Benchmark the model: Monte Carlo throughput and one deterministic scenario.

Targets (issue 4): 100,000 draws x 15 years x 12 services in under 1 s on one core; one
deterministic scenario in under 5 ms.  Run ``python bench/bench_model.py`` (pins itself
to one core where the OS allows, and to one BLAS thread); it prints the figures.  Uses a
synthetic council so it needs no processed data (the assumptions files are read).
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from sharedservices.model import programmes, scenario, uncertainty  # noqa: E402


def synthetic_council() -> scenario.CouncilInputs:
    """A unitary-like council: spend shares roughly as the assumptions' calibration note."""
    shares = {
        "education": 0.498, "adult_social_care": 0.189, "childrens_social_care": 0.083,
        "environmental_regulatory": 0.065, "highways_transport": 0.042, "cultural": 0.039,
        "central": 0.030, "housing": 0.02, "planning_development": 0.015, "other": 0.009,
        "public_health": 0.0, "police": 0.005, "fire": 0.005,
    }
    tse = 400_000.0
    spend = {s: tse * shares.get(s, 0.0) for s in programmes.SERVICES}
    return scenario.CouncilInputs(
        "E0000", "Synthetic unitary", spend, tse, base_funding=150_000.0,
        actual_funding=np.array([150_000.0, 132_000, 125_000, 121_000, 114_000]), usable_reserves=40_000.0,
    )


def twelve_service_programme() -> programmes.Programme:
    """Every service but one shared, with staggered lead times (12 services)."""
    slugs = [s for s in programmes.SERVICES if s != "other"]
    return programmes.Programme(
        "bench-12",
        tuple(programmes.ServiceShare(s, 0.5, 0.1, 0.1, 1 + i % 3, 1 + i % 4, 0.01) for i, s in enumerate(slugs)),
        failure_probability=0.05,
    )


def main() -> None:
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    except (AttributeError, OSError):
        pass
    council = synthetic_council()
    prog = twelve_service_programme()
    draws, horizon = 100_000, 14  # years 0..14 = 15 years
    uncertainty.monte_carlo(council, prog, draws=1000, horizon=horizon)  # warm up
    mc_times = []
    for _ in range(5):
        t0 = time.perf_counter()
        res = uncertainty.monte_carlo(council, prog, draws=draws, horizon=horizon)
        mc_times.append(time.perf_counter() - t0)
    shape = res.gross_savings.shape
    print(f"Monte Carlo: {draws:,} draws x {shape[1]} years x {len(prog.services)} services: "
          f"best {min(mc_times):.3f} s, median {statistics.median(mc_times):.3f} s (target < 1 s)")

    scenario.run_scenario(council, "broad")
    n = 500
    det_times = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(n):
            scenario.run_scenario(council, "broad", cut_path="parametric", front_loading=0.5)
        det_times.append((time.perf_counter() - t0) / n * 1000)
    print(f"Deterministic scenario (broad, parametric path, horizon 10): best {min(det_times):.2f} ms, "
          f"median {statistics.median(det_times):.2f} ms (target < 5 ms)")


if __name__ == "__main__":
    main()
