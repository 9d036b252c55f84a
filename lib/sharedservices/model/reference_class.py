"""Optimism bias from a reference class: what shared-service partnerships planned and got.

The Green Book's supplementary guidance on optimism bias asks appraisers to adjust costs,
durations and benefits by what comparable projects actually delivered (reference-class
forecasting), starting from its table of upper bounds only where no better evidence
exists.  This module turns the plan-against-outcome pairs in
``data/assumptions/reference_class.yaml`` into the adjustment the model applies:

* **savings shortfall** (fraction of the savings rate not delivered):
  ``max(floor, 1 - median(outcome / plan))`` over the partnerships with both;
* **one-off cost** uplift (fraction): ``max(0, median(outturn / plan) - 1)``;
* **delay** (years added to every lead time): the median number of years late;
* **running cost**: no partnership publishes both, so always the Green Book lower bound.

Where fewer than ``reference_class.minimum_cases`` partnerships give both a plan and an
outcome for a quantity, that component falls back to the **Green Book lower bound** for
the suite's category (``optimism_bias.shared_services_category``), rated red, and the
adjustment says so.  A component's rating is the evidence's: amber or better only when
enough pairs exist and most of them are rated amber or better.

**Out of sample.**  ``exclude`` leaves cases out: when the model is tested against a
case study, that case's own pairs never set the adjustment it is tested with
(:func:`sharedservices.model.case_studies.compare`).  The adjustments the shipped
assumptions give are read by :func:`sharedservices.model.cited.adjustment`.

``reference_class_all_pairs`` is a sensitivity that takes the medians of whatever pairs
exist, however few.  The Green Book's own bounds stay available as named sensitivities:
``green_book_lower`` and ``green_book_upper`` (all four components from the table, no savings shortfall or
extra delay, rated red because the category is the suite's mapping).

Examples
--------
>>> pairs = pd.DataFrame({"case": ["a", "b", "c"], "quantity": ["savings"] * 3,
...                       "plan": [10.0, 10.0, 10.0], "outcome": [5.0, 8.0, 12.0],
...                       "quality": ["amber"] * 3})
>>> adj = derive(pairs, minimum=3, floor=0.0, lower={"capex": 0.1, "works_duration": 0.1, "opex": 0.0})
>>> round(adj.savings_shortfall, 3), adj.one_off_cost, adj.quality["savings_shortfall"]
(0.2, 0.1, 'amber')
>>> round(derive(pairs, exclude=("a",), minimum=2, floor=0.0,
...              lower={"capex": 0.1, "works_duration": 0.1, "opex": 0.0}).savings_shortfall, 3)
0.0
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sharedservices.errors import InputError
from sharedservices.model import finance, spec

__all__ = [
    "ADJUSTMENTS",
    "NONE",
    "COMPONENTS",
    "QUANTITIES",
    "Adjustment",
    "adjustments_table",
    "derive",
    "green_book",
    "pairs",
    "same_values",
]

#: The named adjustments a scenario may use (``optimism_adjustment``).
ADJUSTMENTS: tuple[str, ...] = spec.OPTIMISM_ADJUSTMENTS
#: Quantities with plan-against-outcome pairs.
QUANTITIES: tuple[str, ...] = ("savings", "schedule", "one_off_cost")
#: The components of an adjustment, in the order reports show them.
COMPONENTS: tuple[str, ...] = ("one_off_cost", "duration", "delay_years", "running_cost", "savings_shortfall")

_RANK = {"red": 0, "amber": 1, "green": 2}


@dataclass(frozen=True)
class Adjustment:
    """An optimism-bias adjustment to a programme's cited central estimates.

    Attributes
    ----------
    name : str
        ``reference_class``, ``green_book_lower``, ``green_book_upper`` or ``none``.
    one_off_cost : float
        Uplift on one-off costs, fraction (cost x (1 + uplift)).
    duration : float
        Uplift on lead times and ramps, fraction.
    delay_years : float
        Years added to every lead time (after the duration uplift).
    running_cost : float
        Uplift on running costs, fraction.
    savings_shortfall : float
        Share of the savings rate not delivered, fraction (rate x (1 - shortfall)).
    basis : dict
        Component -> how it was set, in words.
    quality : dict
        Component -> rating (green, amber, red).
    cases : dict
        Quantity -> number of partnerships used.
    excluded : tuple of str
        Cases left out (out-of-sample evaluation).
    """

    name: str
    one_off_cost: float = 0.0
    duration: float = 0.0
    delay_years: float = 0.0
    running_cost: float = 0.0
    savings_shortfall: float = 0.0
    basis: Mapping[str, str] = field(default_factory=dict)
    quality: Mapping[str, str] = field(default_factory=dict)
    cases: Mapping[str, int] = field(default_factory=dict)
    excluded: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for c in ("one_off_cost", "duration", "delay_years", "running_cost"):
            v = getattr(self, c)
            if not (np.isfinite(v) and v >= 0):
                raise InputError(f"optimism adjustment {self.name}: {c} {v!r} (allowed: a number >= 0)")
        if not 0.0 <= self.savings_shortfall < 1.0:
            raise InputError(f"optimism adjustment {self.name}: savings_shortfall {self.savings_shortfall!r} "
                             "(allowed: 0 to below 1)")

    def as_dict(self) -> dict[str, float]:
        """The five numbers, for settings and provenance."""
        return {c: float(getattr(self, c)) for c in COMPONENTS}


#: No adjustment (``optimism_bias=False``).
NONE = Adjustment("none", basis={c: "not applied" for c in COMPONENTS}, quality={})


def pairs(values: Mapping[str, Any]) -> pd.DataFrame:
    """The plan-against-outcome pairs as a table.

    Parameters
    ----------
    values : mapping
        Key (``reference_class.<case>.<quantity>``) -> Assumption (the shipped ones:
        :func:`sharedservices.model.cited.reference_pairs`); other keys are ignored.

    Returns
    -------
    pandas.DataFrame
        ``key``, ``case``, ``quantity``, ``plan``, ``outcome`` (schedule: ``plan`` 0 and
        ``outcome`` the years late), ``ratio`` (outcome / plan; schedule: years late),
        ``unit``, ``quality``, ``source_title``, ``source_url``.
    """
    rows = []
    for key, a in values.items():
        parts = key.split(".")
        if len(parts) != 3 or parts[2] not in QUANTITIES:
            continue
        v = a.value
        if parts[2] == "schedule":
            plan, outcome = 0.0, float(v)
            ratio = outcome
        else:
            plan, outcome = float(v["plan"]), float(v["outcome"])
            if plan <= 0:
                raise InputError(f"{key}: plan {plan!r} (allowed: > 0)")
            ratio = outcome / plan
        rows.append({"key": key, "case": parts[1], "quantity": parts[2], "plan": plan, "outcome": outcome,
                     "ratio": ratio, "unit": a.unit, "quality": a.quality,
                     "source_title": a.source_title, "source_url": a.source_url})
    return pd.DataFrame(rows, columns=["key", "case", "quantity", "plan", "outcome", "ratio", "unit", "quality",
                                       "source_title", "source_url"])


def _rating(qualities: Iterable[str], n: int, minimum: int) -> str:
    q = [_RANK[x] for x in qualities]
    if n < minimum or not q:
        return "red"
    return {0: "red", 1: "amber", 2: "green"}[int(np.floor(np.median(q)))]


def derive(table: pd.DataFrame, *, exclude: Iterable[str] = (), minimum: int, floor: float,
           lower: Mapping[str, float]) -> Adjustment:
    """The reference-class adjustment from a table of pairs (:func:`pairs`).

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``case``, ``quantity``, ``plan``, ``outcome``, ``quality``.
    exclude : iterable of str
        Cases to leave out.
    minimum : int
        Fewest partnerships for a quantity to set its component.
    floor : float
        Smallest savings shortfall (0: never raise savings on self-reported success).
    lower : mapping
        The Green Book lower bounds, ``capex``, ``works_duration``, ``opex`` (fractions).
    """
    ex = tuple(sorted(set(exclude)))
    t = table[~table["case"].isin(ex)]
    basis: dict[str, str] = {}
    quality: dict[str, str] = {}
    cases: dict[str, int] = {}

    def part(q: str) -> pd.DataFrame:
        sub = t[t["quantity"] == q]
        cases[q] = int(len(sub))
        return sub

    sav = part("savings")
    if len(sav) >= minimum:
        med = float(np.median(sav["outcome"] / sav["plan"]))
        shortfall = max(float(floor), 1.0 - med)
        floored = 1.0 - med < floor
        basis["savings_shortfall"] = (f"reference class: median outcome/plan {med:.2f} over {len(sav)} partnerships"
                                      + (" (floored: no uplift for self-reported success)" if floored else ""))
        # where the floor sets the value, the suite's (red) floor is what it rests on
        quality["savings_shortfall"] = "red" if floored else _rating(sav["quality"], len(sav), minimum)
    else:
        shortfall = 0.0
        basis["savings_shortfall"] = f"none: {len(sav)} partnerships with a plan and an outcome (fewer than {minimum})"
        quality["savings_shortfall"] = "red"
    cost = part("one_off_cost")
    if len(cost) >= minimum:
        med = float(np.median(cost["outcome"] / cost["plan"]))
        one_off = max(0.0, med - 1.0)
        basis["one_off_cost"] = f"reference class: median outturn/plan {med:.2f} over {len(cost)} programmes"
        quality["one_off_cost"] = _rating(cost["quality"], len(cost), minimum)
    else:
        one_off = float(lower["capex"])
        basis["one_off_cost"] = (f"Green Book lower bound: only {len(cost)} programmes with a planned and an outturn "
                                 f"cost (fewer than {minimum})")
        quality["one_off_cost"] = "red"
    sched = part("schedule")
    if len(sched) >= minimum:
        delay, duration = float(np.median(sched["outcome"])), 0.0
        basis["delay_years"] = f"reference class: median {delay:.2f} years late over {len(sched)} partnerships"
        basis["duration"] = "not applied (the reference class sets the delay instead)"
        quality["delay_years"] = quality["duration"] = _rating(sched["quality"], len(sched), minimum)
    else:
        delay, duration = 0.0, float(lower["works_duration"])
        basis["duration"] = (f"Green Book lower bound: only {len(sched)} partnerships with a planned and an actual "
                             f"date (fewer than {minimum})")
        basis["delay_years"] = "none (the Green Book duration uplift applies instead)"
        quality["duration"] = quality["delay_years"] = "red"
    basis["running_cost"] = "Green Book lower bound: no partnership publishes planned and outturn running costs"
    quality["running_cost"] = "red"
    return Adjustment("reference_class", one_off_cost=one_off, duration=duration, delay_years=delay,
                      running_cost=float(lower["opex"]), savings_shortfall=shortfall, basis=basis,
                      quality=quality, cases=cases, excluded=ex)


def green_book(bound: str, table: Mapping[str, Mapping[str, float | None]], category: str,
               opex_category: str) -> Adjustment:
    """The Green Book table's lower or upper bound for the suite's category.

    Examples
    --------
    >>> t = {"eq": {"capex_upper": 2.0, "capex_lower": 0.1, "works_duration_upper": 0.54,
    ...             "works_duration_lower": 0.1},
    ...      "out": {"opex_upper": 0.41, "opex_lower": 0.0}}
    >>> a = green_book("upper", t, "eq", "out")
    >>> a.one_off_cost, a.duration, a.running_cost, a.savings_shortfall
    (2.0, 0.54, 0.41, 0.0)
    """
    if bound not in ("lower", "upper"):
        raise InputError(f"Green Book bound: {bound!r} (allowed: lower, upper)")
    b: Any = bound
    words = f"Green Book {bound} bound ({category}; running costs: {opex_category})"
    return Adjustment(
        f"green_book_{bound}",
        one_off_cost=finance.optimism_bias_uplift(category, "capex", b, table),
        duration=finance.optimism_bias_uplift(category, "works_duration", b, table),
        running_cost=finance.optimism_bias_uplift(opex_category, "opex", b, table),
        basis={c: words for c in COMPONENTS},
        quality={c: "red" for c in COMPONENTS},
    )


def same_values(a: Adjustment, b: Adjustment) -> bool:
    """Whether two adjustments apply the same five numbers (e.g. a reference class that
    falls back to the Green Book lower bound in every component).

    Examples
    --------
    >>> same_values(Adjustment("a", one_off_cost=0.1), Adjustment("b", one_off_cost=0.1))
    True
    """
    return all(abs(getattr(a, c) - getattr(b, c)) < 1e-12 for c in COMPONENTS)


_LABELS = {
    "one_off_cost": "one-off cost uplift",
    "duration": "lead-time and ramp uplift",
    "delay_years": "extra delay (years)",
    "running_cost": "running-cost uplift",
    "savings_shortfall": "savings shortfall",
}


def adjustments_table(adjustments: Iterable[Adjustment]) -> pd.DataFrame:
    """The adjustments side by side: one row per component, one column per adjustment
    (fractions as %, delay in years), with the reference class's basis and rating.

    Examples
    --------
    >>> tab = {"eq": {"capex_upper": 2.0, "capex_lower": 0.1, "works_duration_upper": 0.54,
    ...               "works_duration_lower": 0.1}, "out": {"opex_upper": 0.41, "opex_lower": 0.0}}
    >>> t = adjustments_table([green_book("lower", tab, "eq", "out"), green_book("upper", tab, "eq", "out")])
    >>> list(t.columns)[:3], t.loc["one-off cost uplift", "green_book_upper"]
    (['green_book_lower', 'green_book_upper', 'basis'], '200%')
    """
    adjs = list(adjustments)

    def show(c: str, v: float) -> str:
        return f"{v:.2f}" if c == "delay_years" else f"{100 * v:.0f}%"

    out = pd.DataFrame({a.name: [show(c, getattr(a, c)) for c in COMPONENTS] for a in adjs},
                       index=pd.Index([_LABELS[c] for c in COMPONENTS], name="component"))
    ref = next((a for a in adjs if a.name == "reference_class"), adjs[0])
    out["basis"] = [ref.basis.get(c, "") for c in COMPONENTS]
    out["rating"] = [ref.quality.get(c, "") for c in COMPONENTS]
    return out
