"""Regression snapshots of the published reports' headline numbers (model outputs).

Computed here from the model functions with each reports.yaml entry's parameters (a
fresh clone has no built reports), compared with tests/snapshots/headlines.yaml.
Update with `make update-snapshots` and review the diff.
"""

from __future__ import annotations

import copy

import pytest
import yaml
from sharedservices.pipeline.snapshots import SNAPSHOT_FILE, compute, diff

pytestmark = pytest.mark.xdist_group("snapshots")


@pytest.fixture(scope="module")
def stored() -> dict:
    assert SNAPSHOT_FILE.exists(), "tests/snapshots/headlines.yaml is missing: make update-snapshots"
    return yaml.safe_load(SNAPSHOT_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def computed() -> dict:
    return compute()


def test_headlines_match_snapshots(stored, computed):
    problems = diff(stored, computed)
    assert not problems, "headline numbers changed (make update-snapshots, then review):\n" + "\n".join(problems)


def test_diff_catches_changes():
    stored = {"tolerance": {"rel": 1e-6, "abs": 1e-9},
              "reports": {"r": {"headlines": {"npv": 100.0, "payback_year": 4, "note": None}}}}
    same = {"r": {"headlines": {"npv": 100.00000001, "payback_year": 4, "note": None}}}
    assert diff(stored, same) == []
    moved = copy.deepcopy(same)
    moved["r"]["headlines"]["npv"] = 100.01
    assert diff(stored, moved) == ["r.npv: 100.0 -> 100.01"]
    gone = copy.deepcopy(same)
    gone["r"]["headlines"]["payback_year"] = None
    assert diff(stored, gone) == ["r.payback_year: 4 -> None"]
    assert diff(stored, {}) == ["r: snapshot of a report no longer published"]
    assert diff({"reports": {}}, same) == ["r: no snapshot (run make update-snapshots)"]
