"""The scenario's parameters, each defined once: type, default, range or choices, unit, help.

:class:`Scenario` (one council, one programme, one financing, one cut path) is the one object
a run takes: :func:`sharedservices.model.scenario.run_scenario` and
:func:`sharedservices.model.uncertainty.monte_carlo` read every setting from it.  Its fields,
their defaults and ranges are :data:`SCENARIO` (what a notebook may set) and :data:`WHAT_IF`
(settings for tests and what-ifs, which no notebook exposes); the notebooks' parameter schema
(:mod:`sharedservices.report.params.scenario`) and the explorer's controls are made from the
same :class:`ParamSpec` records, so a range or a help text is written once and a bad value is
refused in one wording (:func:`sharedservices.errors.bad_parameter`).

Every default is a choice or a neutral override: a preset's name, ``None`` for the cited
default in ``data/assumptions``, a multiplier of 1.0.  This module imports nothing heavy: the
build validates parameters through it without loading pandas.

Examples
--------
>>> Scenario("E2532", horizon=6).horizon
6
>>> Scenario("E2532", horizon=2)
Traceback (most recent call last):
...
sharedservices.errors.InputError: parameter 'horizon': 2 is out of range (allowed: integer 4..60)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

from sharedservices.errors import InputError, bad_parameter

__all__ = [
    "CUT_PATHS",
    "DEFAULT_SEED",
    "DISCOUNTS",
    "FINANCING_OPTIONS",
    "MONTE_CARLO",
    "OPTIMISM_ADJUSTMENTS",
    "PROGRAMMES",
    "SCENARIO",
    "WHAT_IF",
    "ParamSpec",
    "Scenario",
    "spec",
]

#: Programme presets (``programmes.preset.*`` in ``data/assumptions``; a test checks they agree).
PROGRAMMES: tuple[str, ...] = ("back_office", "back_office_waste", "broad", "public_realm")
#: Ways of paying the one-off cost (:mod:`sharedservices.model.financing`).
FINANCING_OPTIONS: tuple[str, ...] = ("reserves", "borrowing", "gain_share", "grant", "revenue")
#: Funding paths: the SR2010 national profile, the council's actual outturn, or parametric.
CUT_PATHS: tuple[str, ...] = ("sr2010", "actual", "parametric")
#: Named optimism-bias adjustments (:mod:`sharedservices.model.reference_class`).
OPTIMISM_ADJUSTMENTS: tuple[str, ...] = ("reference_class", "reference_class_all_pairs", "green_book_lower",
                                         "green_book_upper")
#: Discount schedules a notebook may choose (a what-if may give a flat real rate instead).
DISCOUNTS: tuple[str, ...] = ("green_book", "none")
#: The Monte Carlo's seed when none is given (any fixed number: results must be reproducible).
DEFAULT_SEED = 20110228

#: Text used for a council parameter in "allowed: ..." (an RS or ONS code).
COUNCIL_ALLOWED = "an RS code such as E0101 or an ONS code such as E06000022"


def _num(x: float | int) -> str:
    return str(int(x)) if isinstance(x, float) and x.is_integer() else str(x)


@dataclass(frozen=True)
class ParamSpec:
    """One parameter: its type, default, range or choices, unit and help.

    Attributes
    ----------
    name : str
    type : {"int", "float", "str", "bool"}
    default : Any
    help : str
        The help text (a notebook's ``# help`` comment repeats it; a test checks that).
    minimum, maximum : float or int, optional
        Inclusive range.
    choices : tuple, optional
    nullable : bool
        ``None`` is allowed (it means "the cited default").
    council : bool
        An RS or ONS council code.
    unit : str
        What the number measures ("years", "multiple of the cited rates").
    """

    name: str
    type: str  # int | float | str | bool
    default: Any
    help: str
    minimum: float | int | None = None
    maximum: float | int | None = None
    choices: tuple[Any, ...] | None = None
    nullable: bool = False
    council: bool = False
    unit: str = ""

    def as_json(self) -> dict[str, Any]:
        """Keys ``name, type, default, help`` and, where they apply, ``minimum, maximum, choices, unit``."""
        out: dict[str, Any] = {"name": self.name, "type": self.type, "default": self.default,
                               "help": self.help}
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        if self.choices is not None:
            out["choices"] = list(self.choices)
        if self.unit:
            out["unit"] = self.unit
        return out

    def allowed(self) -> str:
        """What values are allowed, in words (used in error messages).

        Examples
        --------
        >>> ParamSpec("horizon", "int", 10, "", minimum=1, maximum=60).allowed()
        'integer 1..60'
        """
        if self.council:
            text = COUNCIL_ALLOWED
        elif self.choices is not None:
            text = "one of " + ", ".join(str(c) for c in self.choices)
        else:
            word = {"int": "integer", "float": "number", "str": "text", "bool": "true or false"}[self.type]
            lo = "" if self.minimum is None else _num(self.minimum)
            hi = "" if self.maximum is None else _num(self.maximum)
            text = f"{word} {lo}..{hi}" if (lo or hi) else word
            if self.type == "float":
                text = text.replace("number ", "finite number ") if (lo or hi) else "finite number"
        return text + (" or None" if self.nullable else "")

    def check(self, value: Any) -> Any:
        """``value`` if this parameter allows it, else :class:`InputError` in the one wording.

        Examples
        --------
        >>> spec("savings_multiplier").check(1.5)
        1.5
        >>> spec("savings_multiplier").check(-1)
        Traceback (most recent call last):
        ...
        sharedservices.errors.InputError: parameter 'savings_multiplier': -1 is out of range (allowed: finite number 0..5)
        """
        if value is None:
            if self.nullable:
                return None
            raise bad_parameter(self.name, value, f"has the wrong type ({type(value).__name__})", self.allowed())
        if self.choices is not None:
            if value not in self.choices or isinstance(value, bool) != isinstance(self.choices[0], bool):
                raise bad_parameter(self.name, value, "is not an allowed choice", self.allowed())
            return value
        kinds: dict[str, tuple[type, ...]] = {"int": (int,), "float": (int, float), "str": (str,), "bool": (bool,)}
        ok = isinstance(value, kinds[self.type]) and (self.type == "bool" or not isinstance(value, bool))
        if not ok:
            raise bad_parameter(self.name, value, f"has the wrong type ({type(value).__name__})", self.allowed())
        if self.type == "float" and not math.isfinite(value):
            raise bad_parameter(self.name, value, "is not a finite number", self.allowed())
        if (self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum):
            raise bad_parameter(self.name, value, "is out of range", self.allowed())
        return value


#: What a notebook may set, in the order of its parameters cell.
SCENARIO: tuple[ParamSpec, ...] = (
    ParamSpec("council", "str", "E2532", "RS code (E2532) or ONS code (E07000137) of the council", council=True),
    ParamSpec("programme", "str", "back_office", "shared-service programme preset", choices=PROGRAMMES),
    ParamSpec("financing", "str", "reserves", "how the one-off cost is paid for", choices=FINANCING_OPTIONS),
    ParamSpec("cut_path", "str", "sr2010", "funding path: sr2010 national profile, the council's actual outturn, "
              "or parametric", choices=CUT_PATHS),
    ParamSpec("front_loading", "float", None, "parametric path front-loading phi, 0 even to 1 all in year 1 "
              "(None: the SR2010 path's own index)", minimum=0.0, maximum=1.0, nullable=True,
              unit="front-loading index"),
    ParamSpec("total_cut_multiplier", "float", 1.0, "parametric path: multiple of the cited SR2010 real-terms cut",
              minimum=0.0, maximum=3.0, unit="multiple of sr2010.real_terms_cut"),
    ParamSpec("horizon", "int", 10, "last model year (years 0..H; year 0 is 2010-11)", minimum=4, maximum=60,
              unit="year index"),
    ParamSpec("discount", "str", "green_book", "discount schedule: green_book declining rates, or none",
              choices=DISCOUNTS),
    ParamSpec("savings_multiplier", "float", 1.0, "multiple of the cited steady-state savings rates", minimum=0.0,
              maximum=5.0, unit="multiple of the cited rates"),
    ParamSpec("one_off_cost_multiplier", "float", 1.0, "multiple of the cited one-off costs", minimum=0.0,
              maximum=10.0, unit="multiple of the cited costs"),
    ParamSpec("delay_years", "float", 0.0, "extra years before any saving arrives", minimum=0.0, maximum=10.0,
              unit="years"),
    ParamSpec("ramp_multiplier", "float", 1.0, "multiple of the cited ramp-up durations", minimum=0.0,
              maximum=5.0, unit="multiple of the cited durations"),
    ParamSpec("optimism_bias", "bool", True, "apply an optimism-bias adjustment to costs, durations and savings"),
    ParamSpec("optimism_adjustment", "str", "reference_class",
              "which adjustment: reference_class (from what shared-service partnerships planned and delivered), "
              "reference_class_all_pairs (its medians however few the pairs), or the Green Book table's "
              "green_book_lower or green_book_upper bound", choices=OPTIMISM_ADJUSTMENTS),
    ParamSpec("frontline_cut_persistence", "float", None, "share of a front-line cut not restored when money "
              "returns, 0 to 1 (None: the cited default)", minimum=0.0, maximum=1.0, nullable=True,
              unit="fraction of a cut"),
    ParamSpec("capitalisation_direction", "bool", False,
              "assume a capitalisation direction, so borrowing may pay revenue one-off costs too"),
)

#: Settings of a :class:`Scenario` for tests and what-ifs (no notebook sets them).
WHAT_IF: tuple[ParamSpec, ...] = (
    ParamSpec("total_cut", "float", None, "parametric path: the real-terms cut as a fraction of 2010-11 funding "
              "(None: total_cut_multiplier x the cited cut)", minimum=-1.0, maximum=1.0, nullable=True,
              unit="fraction of 2010-11 funding"),
    ParamSpec("cut_years", "int", None, "years N over which the cut falls, and of the even-path comparison "
              "(None: the SR period; actual path: the last data year)", minimum=1, maximum=60, nullable=True,
              unit="years"),
    ParamSpec("ramp_years", "float", None, "every service's ramp-up, replacing the cited ones (before optimism "
              "bias)", minimum=0.0, maximum=20.0, nullable=True, unit="years"),
    ParamSpec("failure_probability", "float", None, "annual probability the partnership fails (None: cited)",
              minimum=0.0, maximum=1.0, nullable=True, unit="probability a year"),
)

#: The Monte Carlo's own parameters (report 40).
MONTE_CARLO: tuple[ParamSpec, ...] = (
    ParamSpec("draws", "int", 10_000, "Monte Carlo draws", minimum=100, maximum=200_000, unit="draws"),
    ParamSpec("seed", "int", DEFAULT_SEED, "random seed (same seed and draws, same results)", minimum=0,
              maximum=2**32 - 1),
)

_SPECS = {p.name: p for p in (*SCENARIO, *WHAT_IF, *MONTE_CARLO)}


def spec(name: str) -> ParamSpec:
    """The :class:`ParamSpec` of a scenario or Monte Carlo parameter."""
    return _SPECS[name]


def _default(name: str) -> Any:
    return field(default=_SPECS[name].default)


@dataclass(frozen=True)
class Scenario:
    """One scenario, checked: what :func:`~sharedservices.model.scenario.run_scenario` runs.

    The fields are :data:`SCENARIO` then :data:`WHAT_IF` (see their help), plus ``protect``
    (services spared front-line cuts).  Three also take objects, for what-ifs: ``council`` a
    :class:`~sharedservices.model.scenario.CouncilInputs`, ``programme`` a
    :class:`~sharedservices.model.programmes.Programme`, ``optimism_adjustment`` an
    :class:`~sharedservices.model.reference_class.Adjustment`; and ``discount`` a flat real
    rate (0 to below 1) instead of a schedule's name.

    Raises
    ------
    InputError
        A value its parameter does not allow, or ``front_loading``/``total_cut`` given for a
        path other than ``parametric`` (one line, the wording of the notebooks' schema).
    """

    council: Any = _default("council")
    programme: Any = _default("programme")
    financing: str = _default("financing")
    cut_path: str = _default("cut_path")
    front_loading: float | None = _default("front_loading")
    total_cut_multiplier: float = _default("total_cut_multiplier")
    horizon: int = _default("horizon")
    discount: str | float = _default("discount")
    savings_multiplier: float = _default("savings_multiplier")
    one_off_cost_multiplier: float = _default("one_off_cost_multiplier")
    delay_years: float = _default("delay_years")
    ramp_multiplier: float = _default("ramp_multiplier")
    optimism_bias: bool = _default("optimism_bias")
    optimism_adjustment: Any = _default("optimism_adjustment")
    frontline_cut_persistence: float | None = _default("frontline_cut_persistence")
    capitalisation_direction: bool = _default("capitalisation_direction")
    total_cut: float | None = _default("total_cut")
    cut_years: int | None = _default("cut_years")
    ramp_years: float | None = _default("ramp_years")
    failure_probability: float | None = _default("failure_probability")
    protect: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name == "protect":
                object.__setattr__(self, "protect", tuple(str(x) for x in v))
            elif f.name == "council":
                if isinstance(v, str):
                    if len(v) > 20:
                        raise bad_parameter("council", v, "is not a council code", COUNCIL_ALLOWED)
                elif not hasattr(v, "ecode"):
                    raise bad_parameter("council", v, f"has the wrong type ({type(v).__name__})", COUNCIL_ALLOWED)
            elif f.name == "discount" and isinstance(v, int | float) and not isinstance(v, bool):
                if not (math.isfinite(v) and 0.0 <= v < 1.0):
                    raise bad_parameter("discount", v, "is out of range", "green_book, none, or a real rate 0 to 1")
            elif f.name in ("programme", "optimism_adjustment") and not isinstance(v, str):
                if not hasattr(v, "name"):
                    raise bad_parameter(f.name, v, f"has the wrong type ({type(v).__name__})", spec(f.name).allowed())
            else:
                if isinstance(v, int) and not isinstance(v, bool) and spec(f.name).type == "float":
                    object.__setattr__(self, f.name, float(v))
                spec(f.name).check(getattr(self, f.name))
        if self.cut_path != "parametric" and (self.front_loading is not None or self.total_cut is not None):
            raise InputError(f"parameter 'front_loading': set with cut_path={self.cut_path!r} "
                             "(allowed: front_loading and total_cut only with cut_path='parametric')")

    @property
    def rate(self) -> str | float:
        """The discount as the model takes it: ``"green_book"`` or a flat real rate (``"none"`` is 0)."""
        return 0.0 if self.discount == "none" else self.discount
