"""Shared test fixtures.

``councils_fixture`` points ``SHAREDSERVICES_PROCESSED_DIR`` at a five-row councils table
(tests/fixtures/runner/processed/councils.csv).  While ``sharedservices.data`` is not yet in
the tree, it also installs a tiny stand-in exposing ``resolve_council`` (tests only).
"""

from __future__ import annotations

import csv
import importlib
import sys
import types
from pathlib import Path

import pytest
from sharedservices.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures"
RUNNER_FIXTURES = FIXTURES / "runner"


def _fallback_data_module(processed: Path) -> types.ModuleType:
    """Stand-in for sharedservices.data (the data engineer's module), tests only."""
    mod = types.ModuleType("sharedservices.data")

    def resolve_council(code: str, *, principal_only: bool = True) -> str:
        with open(processed / "councils.csv", newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if code in (row["ecode"], row["ons_code"]) and (
                    row["principal"] == "True" or not principal_only
                ):
                    return row["ecode"]
        raise InputError(
            f"council: {code!r} is not an English principal council (allowed: an RS code "
            "such as E0101 or an ONS code such as E06000022; see councils.csv)"
        )

    mod.resolve_council = resolve_council
    mod.__fallback__ = True
    return mod


@pytest.fixture
def councils_fixture(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Processed dir holding the fixture councils table; resolve_council reads it."""
    processed = RUNNER_FIXTURES / "processed"
    monkeypatch.setenv("SHAREDSERVICES_PROCESSED_DIR", str(processed))
    try:
        importlib.import_module("sharedservices.data")
    except ImportError:
        monkeypatch.setitem(sys.modules, "sharedservices.data", _fallback_data_module(processed))
    return processed
