"""One percentage basis per sentence, named with every percentage (issue 15).

:func:`sharedservices.report.prose.basis_problems` is the rule;
:func:`sharedservices.report.display.key_findings` refuses a line that breaks it, so no
report is built with one.  These tests show the rule catching the sentences a reader
complained of, and the payback and uncertainty findings keeping it for councils of every
class under every way of paying.
"""

from __future__ import annotations

import pytest
from sharedservices.errors import InputError
from sharedservices.inputs import data
from sharedservices.model.financing import FINANCING_OPTIONS
from sharedservices.model.spec import PROGRAMMES
from sharedservices.report import display, prose
from sharedservices.report.findings import nb30_payback_vs_cuts as f30
from sharedservices.report.findings import nb40_uncertainty as f40

CLASSES = ("SC", "SD", "UA", "MD", "L")


@pytest.mark.parametrize("sentence", [
    # the issue's own example, and the ones the publisher's review found
    "It saves 4.2% of total service expenditure, or 8.6% of core spending.",
    "Of 353 councils, 3 (0.8% of principal councils) get there and 3 (0.8%) with the public realm.",
    "It absorbs 0.0% of the penalty, with 75.0% of every front-line cut sticking.",
    "Its 90% range is wide; it is negative in 11.0% of simulations.",
    "A partner takes 32.1% of gross savings, the share that earns its hurdle of 13.5% a year.",
    "The plans had taken 72.0% of their cut and councils 54.8% of theirs.",
    "The savings multiplier is 140%.",
])
def test_mixed_or_unnamed_bases_are_caught(sentence):
    assert prose.basis_problems(sentence)


@pytest.mark.parametrize("sentence", [
    "It saves 4.2% of total service expenditure. That is 8.6% of core spending.",
    "Spending fell 23.9% in cash terms from 2010-11 to 2014-15 and rose 7.2% in cash terms after.",
    "Optimism bias: one-off costs +10.0%, durations +54.0%.",
    "The mismatch is 14% higher for mix and 16% higher for cost than within 50 km.",
    "Elasticities are shown with 95% intervals.",
    "NLGN's claim is of savings \"close to 10%\" of total service expenditure.",
    "The discount rate is 3.5% a year from 2010-11.",
    "It piloted 100% rates retention in 2017-18.",
])
def test_one_named_basis_passes(sentence):
    assert prose.basis_problems(sentence) == []


def test_key_findings_refuse_a_mixed_sentence_and_say_which():
    with pytest.raises(InputError, match=r"key findings: two percentage bases in one sentence .*8\.6% of core"):
        display.key_findings(["It saves 4.2% of total service expenditure and 8.6% of core spending."])
    with pytest.raises(InputError, match=r"no basis named \(0\.8%\)"):
        display.key_findings(["Three councils (0.8%) get there."])


def _councils() -> list[str]:
    return [data.select_councils(c)[len(data.select_councils(c)) // 3] for c in CLASSES]


@pytest.mark.parametrize("financing", FINANCING_OPTIONS)
def test_payback_findings_keep_the_rule_for_every_class_and_financing(financing):
    for i, council in enumerate(_councils()):
        programme = PROGRAMMES[i % len(PROGRAMMES)]
        lines = f30.finding_lines(f30.headlines(council=council, programme=programme, financing=financing))
        problems = [p for line in lines for p in prose.basis_problems(line)]
        assert not problems, (council, programme, financing, problems)


@pytest.mark.parametrize("financing", ["reserves", "gain_share", "borrowing"])
def test_uncertainty_findings_keep_the_rule(financing):
    for council in _councils()[:3]:
        lines = f40.finding_lines(f40.headlines(council=council, financing=financing, draws=200, seed=1))
        problems = [p for line in lines for p in prose.basis_problems(line)]
        assert not problems, (council, financing, problems)


def test_figure_titles_keep_the_rule():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sharedservices.report import style

    fig, ax = plt.subplots()
    try:
        with pytest.raises(ValueError, match=r"figure title: two percentage bases"):
            style.finish(fig, ax, "1% of councils on total service expenditure, 2% of core spending", x=None, y=None)
        assert style.finish(fig, ax, "2% of councils get there", x=None, y=None) is fig
    finally:
        plt.close(fig)
