"""The benchmark's per-draw loop is the same model as the vectorised engine.

``bench/bench_mc_loop.py`` times :func:`sharedservices.model.uncertainty.simulate` against a
plain loop over draws; the ratio means something only while both compute the same thing.
The engine gained correlated shocks, duration multipliers, exit costs and persistence after
the loop was first written, and the benchmark went stale unnoticed; this keeps them together.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from sharedservices.model import uncertainty

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("option", ["reserves", "gain_share", "borrowing"])
def test_loop_matches_engine(option):
    bench = _load("bench_mc_loop")
    si, spreads = bench.inputs()
    engine = uncertainty.simulate(si, option, spreads, 300, bench.SEED)
    loop = bench.per_draw_loop(si, option, spreads, 300, bench.SEED)
    compared = [c for c in engine.draws.columns if c in loop]
    assert len(compared) == 6
    for col in compared:
        np.testing.assert_allclose(engine.draws[col].to_numpy(float), loop[col], rtol=1e-9, atol=1e-6,
                                   err_msg=col)
    np.testing.assert_allclose(engine.net_savings, loop["net"], rtol=1e-9, atol=1e-6)


def test_check_equal_catches_a_different_model(monkeypatch):
    """The check fails when the loop's model is not the engine's (here: persistence ignored)."""
    bench = _load("bench_mc_loop")
    si, spreads = bench.inputs()
    assert float(si.persistence) > 0  # else ignoring it changes nothing
    real = bench.per_draw_loop

    def without_persistence(si_, *args, **kwargs):
        import dataclasses
        return real(dataclasses.replace(si_, persistence=0.0), *args, **kwargs)

    monkeypatch.setattr(bench, "per_draw_loop", without_persistence)
    with pytest.raises(SystemExit, match="differs between engine and loop"):
        bench.check_equal(si, spreads, 50)
