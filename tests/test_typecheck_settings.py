"""Issue 14: the project's mypy settings catch a possibly-None value used as a number.

``make typecheck`` runs mypy over ``model/`` and ``inputs/`` with the settings in
``pyproject.toml``.  This test runs mypy with those same settings on a planted module and
sees the mistake reported, in a typed function and in an unannotated one (whose body mypy
would skip without ``check_untyped_defs``); a correct version of the same code passes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PLANTED = '''
def share_of_spend(saving_gbp_m: float | None, spend_gbp_m: float) -> float:
    return saving_gbp_m / spend_gbp_m

def payback_year():
    year: int | None = None
    return year + 1
'''

GUARDED = '''
def share_of_spend(saving_gbp_m: float | None, spend_gbp_m: float) -> float:
    if saving_gbp_m is None:
        raise ValueError("saving_gbp_m: None; a number is needed")
    return saving_gbp_m / spend_gbp_m
'''


def _mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    probe = tmp_path / "probe.py"
    probe.write_text(source, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
         "--cache-dir", str(tmp_path / "cache"), "--no-error-summary", str(probe)],
        capture_output=True, text=True, cwd=ROOT, check=False)


def test_possibly_none_used_as_a_number_is_an_error(tmp_path: Path) -> None:
    done = _mypy(tmp_path, PLANTED)
    assert done.returncode == 1, done.stdout + done.stderr
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert any("probe.py:3:" in e and '"None"' in e for e in errors), done.stdout
    assert any("probe.py:7:" in e and '"None"' in e for e in errors), done.stdout


def test_the_guarded_version_passes(tmp_path: Path) -> None:
    done = _mypy(tmp_path, GUARDED)
    assert done.returncode == 0, done.stdout + done.stderr
