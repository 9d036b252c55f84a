"""Checks on the prose a report prints: one percentage basis per sentence, named every time.

A reader compares percentages. "4.2 % of total service expenditure … 8.6 % of core
spending" in one sentence invites comparing 8.6 with a claim made on the other basis, and a
bare "(0.8 %)" leaves the reader to guess what it is a share of.  The rule the key findings
keep (:func:`sharedservices.report.display.key_findings` refuses a line that breaks it):

* every percentage in a sentence names its **basis** right after the number:

  - a share: ``12.5% of core spending`` (the words after "of", up to the end of the clause;
    a pronoun such as "of it" or "of theirs" does not name a basis);
  - a rate: ``3.5% a year``;
  - a change: ``fell 23.9% in cash terms``, ``14% higher … than within 50 km``,
    ``+10.0%`` on a named quantity (a signed number), ``by 5.3% of …`` is a share;
  - a confidence level: ``95% interval``, ``90% range``, ``the 95% level``;

* and every percentage in one sentence has the same basis (all changes count as one basis).

The names of policies that carry a percentage ("100% rates retention") and quotations that
end with their percentage (NLGN's "close to 10%") are quoted as written, not counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Percentage", "percentages", "sentences", "basis_problems"]

_PCT = re.compile(r"(?<![\w.])([+\-\u2212]?)(\d[\d,]*(?:\.\d+)?)\s?%")
_CLAUSE_END = re.compile(
    r"[,;:()\u2014]|\.(?:\s|$)|$|\s(?:and|with|against|by|for|from|over|than|at|in|to|when|while|so|because|once|"
    r"which|where|as|is|are|was|were|would|could|but|or|if|on|under|after|before|until|has|have|had|"
    r"compares?|differs?|gets?|falls?|rises?|saves?|covers?|lies|lie|means?|sticks?|takes?|pays?)\b"
)
_PRONOUNS = {"it", "them", "theirs", "that", "this", "those", "these", "its", "his", "hers", "ours"}
_CHANGE_VERB = re.compile(r"(?:\b(?:fell|fall|falls|rose|rise|rises|grew|grow|grows|cut|cuts|lost|lose|loses|"
                          r"gained|gain|gains|up|down|raised|lowered|increased|decreased|moves?|moved)\s*|\bby\s*)$")
_CHANGE_AFTER = re.compile(r"\s*(?:in (?:real|cash) terms|(?:higher|lower|more|less|above|below)\b)")
_CONFIDENCE = re.compile(r"\s*(?:confidence\s+)?(?:intervals?|ranges?|credible|confidence|prediction|level)\b")
_NAMES = re.compile(r"\s*(?:business\s+)?rates\s+retention\b")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"\u201c\u00a3\u2212(])")


@dataclass(frozen=True)
class Percentage:
    """One percentage in a sentence: its text and its basis (None: not named)."""

    text: str
    basis: str | None


def sentences(text: str) -> list[str]:
    """Split prose into sentences (at ., ! or ? followed by a space and a capital or digit).

    Examples
    --------
    >>> sentences("It fell 2.0% in real terms. Then 3.0% of it rose. In 2010-11.")
    ['It fell 2.0% in real terms.', 'Then 3.0% of it rose.', 'In 2010-11.']
    """
    return [s for s in _SENTENCE_END.split(" ".join(text.split())) if s]


def _basis(sentence: str, start: int, end: int, sign: str) -> str | None:
    after = sentence[end:]
    before = sentence[:start]
    if _CONFIDENCE.match(after):
        return "a confidence level"
    m = re.match(r"[\"\u201d\u2019]?\s*of\s+", after)
    if m:
        rest = after[m.end():]
        stop = _CLAUSE_END.search(rest)
        phrase = rest[: stop.start() if stop else len(rest)].strip().rstrip(".\"\u201d")
        words = phrase.lower().split()
        if not words or words[0] in _PRONOUNS and len(words) == 1 or words == ["theirs"]:
            return None
        if words[0] == "the":
            words = words[1:]
        return "of " + " ".join(words) if words else None
    if re.match(r"\s*a\s+year\b", after):
        return "a year"
    if _CHANGE_AFTER.match(after) or _CHANGE_VERB.search(before) or sign:
        return "a change"
    return None


def percentages(sentence: str) -> list[Percentage]:
    """Every percentage in ``sentence`` with its basis (None where none is named).

    Examples
    --------
    >>> [p.basis for p in percentages("It saves 4.0% of core spending and 1.0% of it.")]
    ['of core spending', None]
    >>> [p.basis for p in percentages("Spending fell 7.2% in cash terms; rates are 3.5% a year.")]
    ['a change', 'a year']
    >>> percentages("It piloted 100 % rates retention in 2017-18.")
    []
    """
    out = []
    for m in _PCT.finditer(sentence):
        if _NAMES.match(sentence[m.end():]) or re.match(r"[\"\u201d]", sentence[m.end():]):
            continue  # a policy's name, or a quotation ending with its percentage
        out.append(Percentage(m.group(0).strip(), _basis(sentence, m.start(), m.end(), m.group(1))))
    return out


def _distinct(bases: set[str]) -> set[str]:
    """Bases that differ: one whose words begin another's is the same basis (the words after
    it are the rest of the clause, which the clause boundary did not catch).

    >>> sorted(_distinct({"of simulations", "of simulations never do", "of core spending"}))
    ['of core spending', 'of simulations']
    """
    words = sorted((b.split() for b in bases), key=len)
    kept: list[list[str]] = []
    for w in words:
        if not any(w[: len(k)] == k for k in kept):
            kept.append(w)
    return {" ".join(k) for k in kept}


def basis_problems(text: str) -> list[str]:
    """The sentences of ``text`` that break the rule, each with what is wrong (empty: none).

    Examples
    --------
    >>> basis_problems("It saves 4.2% of total service expenditure. That is 8.6% of core spending.")
    []
    >>> basis_problems("It saves 4.2% of total service expenditure and 8.6% of core spending.")  # doctest: +ELLIPSIS
    ['two percentage bases in one sentence (4.2% of total service expenditure; 8.6% of core spending): ...']
    >>> basis_problems("3 councils (0.8%) get there.")  # doctest: +ELLIPSIS
    ['a percentage with no basis named (0.8%): ...']
    """
    problems = []
    for s in sentences(text):
        found = percentages(s)
        unnamed = [p.text for p in found if p.basis is None]
        named = _distinct({p.basis for p in found if p.basis is not None})
        if unnamed:
            problems.append(f"a percentage with no basis named ({', '.join(unnamed)}): {s}")
        elif len(named) > 1:
            first: dict[str, str] = {}
            for p in found:
                if p.basis in named:
                    first.setdefault(p.basis, p.text)
            listed = "; ".join(f"{t} {b}" for b, t in first.items())
            problems.append(f"two percentage bases in one sentence ({listed}): {s}")
    return problems
