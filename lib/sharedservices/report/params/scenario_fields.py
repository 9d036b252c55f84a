"""The scenario parameters shared by the per-council reports (30, 40) and the explorer.

One definition, so the published reports, the batch runs and the explorer's widgets
cannot drift apart.  Every default is a choice or a neutral override: a preset's name,
``None`` for the cited default in ``data/assumptions``, a multiplier of 1.0.  The
choices are checked against the model (``programmes.preset_names()``,
``financing.FINANCING_OPTIONS``, ``scenario.CUT_PATHS``) by ``tests/test_params_scenario.py``.

This module registers no notebook itself; ``nb30_*`` and ``nb40_*`` subclass
:class:`ScenarioParams`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sharedservices.report.params import Council, NotebookParams

__all__ = ["Financing", "CutPath", "Programme", "ScenarioParams"]

Programme = Literal["back_office", "back_office_waste", "broad", "public_realm"]
Financing = Literal["reserves", "borrowing", "gain_share", "grant", "revenue"]
CutPath = Literal["sr2010", "actual", "parametric"]


class ScenarioParams(NotebookParams):
    """One council, one shared-service programme, one cut path (not registered itself)."""

    council: Council = Field(
        "E2532", description="RS code (E2532) or ONS code (E07000137) of the council"
    )
    programme: Programme = Field("back_office", description="shared-service programme preset")
    financing: Financing = Field("reserves", description="how the one-off cost is paid for")
    cut_path: CutPath = Field(
        "sr2010",
        description="funding path: sr2010 national profile, the council's actual outturn, "
        "or parametric",
    )
    front_loading: float | None = Field(
        None, ge=0.0, le=1.0,
        description="parametric path front-loading phi, 0 even to 1 all in year 1 "
        "(None: the SR2010 path's own index)",
    )
    total_cut_multiplier: float = Field(
        1.0, ge=0.0, le=3.0,
        description="parametric path: multiple of the cited SR2010 real-terms cut",
    )
    horizon: int = Field(10, ge=4, le=60, description="last model year (years 0..H; year 0 is 2010-11)")
    discount: Literal["green_book", "none"] = Field(
        "green_book", description="discount schedule: green_book declining rates, or none"
    )
    savings_multiplier: float = Field(
        1.0, ge=0.0, le=5.0, description="multiple of the cited steady-state savings rates"
    )
    one_off_cost_multiplier: float = Field(
        1.0, ge=0.0, le=10.0, description="multiple of the cited one-off costs"
    )
    delay_years: float = Field(
        0.0, ge=0.0, le=10.0, description="extra years before any saving arrives"
    )
    ramp_multiplier: float = Field(
        1.0, ge=0.0, le=5.0, description="multiple of the cited ramp-up durations"
    )
    optimism_bias: bool = Field(
        True, description="apply an optimism-bias adjustment to costs, durations and savings"
    )
    optimism_adjustment: Literal["reference_class", "reference_class_all_pairs", "green_book_lower",
                                 "green_book_upper"] = Field(
        "reference_class",
        description="which adjustment: reference_class (from what shared-service partnerships planned and "
        "delivered), reference_class_all_pairs (its medians however few the pairs), or the Green Book table's "
        "green_book_lower or green_book_upper bound",
    )
    frontline_cut_persistence: float | None = Field(
        None, ge=0.0, le=1.0,
        description="share of a front-line cut not restored when money returns, 0 to 1 "
        "(None: the cited default)",
    )
    capitalisation_direction: bool = Field(
        False, description="assume a capitalisation direction, so borrowing may pay revenue one-off costs too"
    )
