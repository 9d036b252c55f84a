"""Issue 14: one formatting module, one sign convention (U+2212 before the pound sign)."""

from __future__ import annotations

import ast
from pathlib import Path

from sharedservices.model import scenario
from sharedservices.model.spec import Scenario
from sharedservices.report import explorer
from sharedservices.report import format as fmt
from sharedservices.report.findings import nb30_payback_vs_cuts as f30

REPORT = Path(fmt.__file__).parent


def test_money_and_shares_carry_one_minus_sign() -> None:
    assert fmt.gbp_m(-12.0) == "\u2212£12.0m" and fmt.gbp_m(12.0) == "£12.0m" and fmt.gbp_m(-0.04) == "£0.0m"
    assert fmt.pct(-0.05) == "\u22125.0%" and fmt.pct(None) == "no gap"
    assert fmt.gbp_bn(-2.5e6) == "\u2212£2.5bn" and fmt.count(10_000) == "10,000"
    assert fmt.financial_year(4) == "2014-15"


def test_the_explorer_and_the_reports_write_a_loss_alike() -> None:
    r = scenario.run_scenario(Scenario("E2532", savings_multiplier=0.0))
    npv = r.metrics["npv_gbp_thousand"]
    assert npv < 0
    panel = explorer.format_metrics(r.metrics, r.settings)["NPV of the programme"]
    prose = " ".join(f30.finding_lines(f30.summarise(r)))
    written = fmt.gbp_m(npv / 1000)
    assert written.startswith("\u2212£") and panel.startswith(written) and written in prose
    assert "£-" not in panel and "-£" not in prose


def test_no_report_module_formats_money_by_hand() -> None:
    """Every "£...m" in the report layer's code comes from report/format.py."""
    offenders = []
    for path in REPORT.rglob("*.py"):
        if path.name == "format.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                parts = [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
                if any(p.endswith("£") for p in parts):
                    offenders.append(f"{path.name}:{node.lineno}")
    assert not offenders, offenders


def test_every_financing_option_has_a_name() -> None:
    from sharedservices.model.spec import FINANCING_OPTIONS
    from sharedservices.report.format import FINANCING_NAMES

    assert set(FINANCING_NAMES) == set(FINANCING_OPTIONS)
