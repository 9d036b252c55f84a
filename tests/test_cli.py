"""Command line: help, params listing, data delegation, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sharedservices.errors import LockHeld, OutputError, ToolMissing
from sharedservices.pipeline import cli


@pytest.mark.parametrize("argv", [["--help"], ["build", "--help"], ["run", "--help"],
                                  ["params", "--help"], ["data", "--help"]])
def test_help_everywhere(argv, capsys):
    assert cli.main(argv) == 0
    assert "usage: python -m sharedservices" in capsys.readouterr().out


def test_module_entry_point_runs():
    proc = subprocess.run([sys.executable, "-m", "sharedservices", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "build" in proc.stdout and "params" in proc.stdout


@pytest.mark.parametrize(("argv", "needle"), [
    ([], "the following arguments are required: COMMAND"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["build", "-j", "zero"], "'zero' is not an integer"),
    (["build", "--timeout", "-5"], "-5 is out of range"),
    (["run"], "the following arguments are required: NOTEBOOK"),
    (["params", "notebooks/nope.ipynb"], "notebook 'nope': no parameter schema registered"),
])
def test_usage_errors_exit_2_one_line(argv, needle, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and needle in err and err.count("\n") == 1


def test_params_json_for_data_overview(capsys):
    assert cli.main(["params", "notebooks/00-data-overview.ipynb", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows == [{
        "name": "latest_year", "type": "str", "default": "2014-15",
        "help": "financial year for the distributions (choices: 2010-11, 2011-12, 2012-13, "
                "2013-14, 2014-15, 2017-18)",
        "choices": ["2010-11", "2011-12", "2012-13", "2013-14", "2014-15", "2017-18"],
    }]


def test_params_text_for_fixture(capsys):
    assert cli.main(["params", "fx-report"]) == 0
    out = capsys.readouterr().out
    assert "scale (float, default 1.0): multiplier of the fixture growth rate" in out
    assert "allowed: finite number 0..10" in out


def test_run_missing_notebook_exit_2(capsys, tmp_path):
    assert cli.main(["run", str(tmp_path / "x.ipynb")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_data_delegates_to_importer(monkeypatch, tmp_path):
    import sharedservices.inputs.importers as importers

    calls = []
    monkeypatch.setattr(importers, "run_import", lambda raw, strict: calls.append((raw, strict)),
                        raising=False)
    assert cli.main(["data", "--raw-dir", str(tmp_path), "--strict"]) == 0
    assert calls == [(Path(tmp_path), True)]
    monkeypatch.setenv("RAW_DIR", str(tmp_path / "env"))
    assert cli.main(["data"]) == 0
    assert calls[-1] == (tmp_path / "env", False)


@pytest.mark.parametrize(("exc", "code"), [
    (LockHeld("reports: another build holds it"), 3),
    (OutputError("outputs: cannot write 'x' (No space left on device)"), 4),
    (ToolMissing("browser: none found\n(allowed: chromium)"), 5),
    (KeyboardInterrupt(), 130),
])
def test_errors_map_to_exit_codes(monkeypatch, capsys, exc, code):
    def boom(args):
        raise exc

    parser = cli.make_parser()
    monkeypatch.setattr(cli, "make_parser", lambda: parser)
    parser._subparsers._group_actions[0].choices["params"].set_defaults(func=boom)
    assert cli.main(["params", "x"]) == code
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
