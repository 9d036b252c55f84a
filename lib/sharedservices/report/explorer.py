"""The live explorer: move an assumption, see the timing gap and the headline metrics change.

Every control is built from the shared scenario schema
:class:`~sharedservices.report.params.scenario_fields.ScenarioParams` (or any subclass), so
the explorer and the published reports cannot drift: a field added to the schema gets a
control, with the schema's range, choices and help text.  How a field becomes a control:

==========================  ===================================================
schema field                control
==========================  ===================================================
``Council``                 a searchable box over the principal councils, labelled
                            ``Name (CLASS, E-code / ONS code)``: type a name or code
``Literal`` (<= 3 choices)  ``ToggleButtons``; more choices: ``Dropdown``
``bool``                    ``Checkbox``
``int`` / ``float``         ``IntSlider`` / ``FloatSlider`` over ``ge..le``
                            (``IntText`` / ``FloatText`` without both bounds)
``X | None``                a "cited default" checkbox beside the control for X
``str``                     ``Text``
==========================  ===================================================

Each change validates the values through the schema (the same checks the reports make;
an invalid value or combination shows one line under the controls instead of a traceback),
runs :func:`sharedservices.report.scenarios.run_from_params`, and updates the timing chart (line
data replaced in place, background blitted, limits redrawn only when the data leave them)
and the metrics panel.  ``bench/bench_explorer.py`` times one change through the widget
path.

``notebooks/explorer.ipynb`` shows it: ``make explore`` (or ``.venv/bin/voila
notebooks/explorer.ipynb``) serves that notebook with Voilà, run on opening and code
hidden, through the template in ``report/voila/`` (Voilà's own, less its CDN stylesheets);
in JupyterLab (``make lab``) it starts with Run All.  While a "cited default" box is
ticked its control shows the value the model used (:func:`shown_default`).

Conventions: years 0..H (0 = 2010-11); money real 2010-11 prices, shown in £m; shares say
their basis (core spending or total service expenditure).
"""

from __future__ import annotations

import html
import io
import math
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import numpy as np
import traitlets

from sharedservices.errors import SharedServicesError
from sharedservices.report import format as fmt
from sharedservices.report import params as _params
from sharedservices.report.params import ParamSpec, scenario_fields
from sharedservices.report.params.scenario_fields import ScenarioParams

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from pydantic import BaseModel

    from sharedservices.model.scenario import ScenarioResult

__all__ = [
    "CouncilPicker",
    "Explorer",
    "OptionalControl",
    "TimingChart",
    "build_controls",
    "chart_title",
    "control_for",
    "council_choices",
    "council_label",
    "field_specs",
    "find_council",
    "format_metrics",
    "show",
    "shown_default",
    "validate_values",
]

#: Most choices a Literal may have to be shown as toggle buttons rather than a dropdown.
TOGGLE_MAX_CHOICES = 3
#: Slider steps per range (the step is rounded down to a power of ten).
SLIDER_STEPS = 100
#: Fields that shape only the parametric cut path (:func:`sharedservices.report.params.scenario_fields.to_scenario`
#: drops them for the other paths): their controls are disabled unless ``cut_path`` is
#: ``"parametric"``, so a move that cannot change anything is not offered.
PARAMETRIC_ONLY = scenario_fields.PARAMETRIC_ONLY
#: Fields the model sets on one cut path only, and the metric that gives the chosen path's
#: own value on the others: shown while "cited default" is ticked (:func:`shown_default`).
SHOWN_FROM_METRICS: dict[str, str] = {"front_loading": "front_loading_index"}
#: Years shown in the coverage row of the metrics panel.
COVERAGE_YEARS_SHOWN = 10
#: Source line under the chart (as the payback report's: ``figures.payback.SOURCE_MODEL``).
SOURCE = ("Source: DCLG/MHCLG Revenue Outturn Summary (RS); cited assumptions in data/assumptions; "
          "sharedservices model.")


# --------------------------------------------------------------------------------------
# Councils
# --------------------------------------------------------------------------------------


def council_label(name: str, authority_class: str, ecode: str, ons_code: str | None) -> str:
    """The picker's label for a council: ``Name (CLASS, E-code / ONS code)``.

    Examples
    --------
    >>> council_label("East Lindsey", "SD", "E2532", "E07000137")
    'East Lindsey (SD, E2532 / E07000137)'
    >>> council_label("Somewhere", "SD", "E9998", None)
    'Somewhere (SD, E9998)'
    """
    codes = ecode if not ons_code else f"{ecode} / {ons_code}"
    return f"{name} ({authority_class}, {codes})"


def council_choices() -> dict[str, str]:
    """Picker label -> RS code for every principal council, sorted by name.

    Examples
    --------
    >>> choices = council_choices()
    >>> choices["East Lindsey (SD, E2532 / E07000137)"]
    'E2532'
    """
    from sharedservices.inputs import data

    c = data.councils()
    c = c[c["principal"].astype(bool)].sort_values("name", kind="stable")
    ons = [o if isinstance(o, str) and o else None for o in c["ons_code"]]
    return {
        council_label(str(n), str(k), str(e), o): str(e)
        for n, k, e, o in zip(c["name"], c["class"], c["ecode"], ons, strict=True)
    }


def find_council(text: str, choices: Mapping[str, str] | None = None) -> str:
    """Resolve what was typed in the council picker to an RS code.

    ``text`` may be a picker label (one of ``choices``); anything else goes to
    :func:`sharedservices.report.params.find_council`, the matcher ``-p council`` uses too:
    an RS or ONS code, a council's name (with or without its class suffix), or part of a
    name that matches exactly one principal council (case ignored).

    Raises
    ------
    InputError
        Nothing or more than one council matches (the closest names listed).

    Examples
    --------
    >>> find_council("E07000137"), find_council("east linds"), find_council("Bristol")
    ('E2532', 'E2532', 'E0102')
    >>> find_council("East Lindsy")
    Traceback (most recent call last):
    ...
    sharedservices.errors.InputError: council: 'East Lindsy' matches no principal council (closest: East Lindsey, West Lindsey, East Dorset, Hastings, Eastleigh; allowed: a principal council's name such as Bristol, or an RS code such as E0101 or an ONS code such as E06000022; see data/processed/councils.csv)
    """
    choices = council_choices() if choices is None else choices
    text = text if isinstance(text, str) else ""
    if text in choices:
        return choices[text]
    return _params.find_council(text)


# --------------------------------------------------------------------------------------
# Controls from the schema
# --------------------------------------------------------------------------------------


def field_specs(schema: type[BaseModel] = ScenarioParams) -> list[ParamSpec]:
    """Describe each field of a parameter schema (name, type, default, range, choices).

    Examples
    --------
    >>> [s.name for s in field_specs()][:3]
    ['council', 'programme', 'financing']
    """
    return _params.describe_schema(schema)


def _label(name: str) -> str:
    return name.replace("_", " ")


def _step(lo: float, hi: float) -> float:
    """Slider step: a power of ten giving at least :data:`SLIDER_STEPS` steps.

    Examples
    --------
    >>> _step(0.0, 1.0), _step(0.0, 5.0), _step(0.0, 10.0)
    (0.01, 0.01, 0.1)
    """
    span = hi - lo
    if span <= 0:
        return 1.0
    return float(10.0 ** math.floor(math.log10(span / SLIDER_STEPS)))


class OptionalControl(widgets.HBox):
    """A "cited default" checkbox beside a control, for a field of type ``X | None``.

    ``value`` is ``None`` while the box is ticked (the control is then disabled and
    shows, where known, the default the model used), else the control's value.
    """

    value = traitlets.Any(None, allow_none=True)

    def __init__(self, inner: widgets.ValueWidget, value: Any = None, **kwargs: Any) -> None:
        self.cited = widgets.Checkbox(value=value is None, description="cited default",
                                      indent=False, layout=widgets.Layout(width="8.5em"))
        self.inner = inner
        inner.layout.flex = "1 1 auto"  # the slider takes the row's width, as the others do
        #: Said in place of the control's number when the model used none (see :meth:`show_default`).
        self.note = widgets.HTML("", layout=widgets.Layout(margin="0 0 0 4px"))
        super().__init__([inner, self.cited, self.note], **kwargs)
        self._syncing = False
        self.value = value
        self._show(value)
        self.cited.observe(self._on_parts, names="value")
        self.inner.observe(self._on_parts, names="value")
        self.observe(self._on_value, names="value")

    def _show(self, value: Any) -> None:
        self._syncing = True
        try:
            self.cited.value = value is None
            self.inner.disabled = value is None
            if value is not None:
                self.inner.value = value
                self.note.value = ""
                if hasattr(self.inner, "readout"):
                    self.inner.readout = True
        finally:
            self._syncing = False

    def _on_parts(self, _change: dict[str, Any]) -> None:
        if not self._syncing:
            self.value = None if self.cited.value else self.inner.value

    def _on_value(self, change: dict[str, Any]) -> None:
        if not self._syncing:
            self._show(change["new"])

    def show_default(self, value: float | int | None, note: str = "") -> None:
        """Show the default the model used in the disabled control (fires no change).

        A value inside the control's range is shown by the control itself.  A value
        outside it (a back-loaded path's negative front-loading index, which a 0..1 slider
        would clamp to 0) and ``None`` with a ``note`` (such as "no net cut") turn the
        control's own number off and say the value, or the note, in words beside it, so
        nothing false or stale is read off the control.  Nothing changes while the box is
        unticked.

        Examples
        --------
        >>> spec = ParamSpec("front_loading", "float", None, "phi", minimum=0.0, maximum=1.0,
        ...                  nullable=True)
        >>> w = control_for(spec)
        >>> w.show_default(0.25); w.inner.value, w.value, w.note.value
        (0.25, None, '')
        >>> w.show_default(-0.05); w.note.value, w.inner.readout
        ('−0.05 (below the slider’s 0.00)', False)
        >>> w.show_default(None, "no net cut"); w.note.value
        'no net cut'
        >>> w.show_default(0.5); w.note.value, w.inner.readout
        ('', True)
        """
        if self.value is not None or (value is None and not note):
            return
        lo, hi = getattr(self.inner, "min", None), getattr(self.inner, "max", None)
        inside = value is not None and (lo is None or lo <= value) and (hi is None or value <= hi)
        if value is not None and not inside:
            decimals = 0 if isinstance(value, int) else 2
            below = lo is not None and value < lo
            note = (f"{fmt.number(value, decimals)} ({'below' if below else 'above'} the slider’s "
                    f"{fmt.number(lo if below else hi, decimals)})")
        self._syncing = True
        try:
            if value is not None:
                self.inner.value = value  # a slider clamps it: its number is turned off below
            self.note.value = "" if inside else html.escape(note)
            if hasattr(self.inner, "readout"):
                self.inner.readout = inside
        finally:
            self._syncing = False


class CouncilPicker(widgets.Combobox):
    """Search box over the principal councils: type part of a name or an RS/ONS code."""

    def __init__(self, ecode: str, choices: Mapping[str, str], **kwargs: Any) -> None:
        self.choices = dict(choices)
        self.labels = {e: label for label, e in self.choices.items()}
        super().__init__(options=list(self.choices), value=self.labels.get(ecode, ecode),
                         placeholder="council name or code", ensure_option=False,
                         continuous_update=False, **kwargs)

    def ecode(self) -> str:
        """The RS code of the council typed or picked (raises InputError if none matches)."""
        return find_council(self.value, self.choices)


def control_for(spec: ParamSpec, value: Any = None, *,
                choices: Mapping[str, str] | None = None) -> widgets.Widget:
    """Build the control for one schema field, showing ``value`` (default: the field's).

    Examples
    --------
    >>> spec = ParamSpec("delay_years", "float", 0.0, "extra years", minimum=0.0, maximum=10.0)
    >>> w = control_for(spec)
    >>> type(w).__name__, w.min, w.max, w.step, w.value
    ('FloatSlider', 0.0, 10.0, 0.1, 0.0)
    >>> spec = ParamSpec("front_loading", "float", None, "phi", minimum=0.0, maximum=1.0,
    ...                  nullable=True)
    >>> w = control_for(spec)
    >>> w.value is None, w.inner.disabled
    (True, True)
    >>> w.value = 0.25
    >>> w.inner.value, w.cited.value
    (0.25, False)
    """
    value = spec.default if value is None and not spec.nullable else value
    common: dict[str, Any] = {"description": _label(spec.name), "tooltip": spec.help,
                              "style": {"description_width": "11em"},
                              "layout": widgets.Layout(width="auto")}
    if spec.council:
        chosen = council_choices() if choices is None else choices
        ecode = find_council(value, chosen) if value else next(iter(chosen.values()))
        return CouncilPicker(ecode, chosen, **common)
    if spec.nullable:
        base = ParamSpec(spec.name, spec.type, None, spec.help, spec.minimum, spec.maximum,
                         spec.choices, nullable=False, council=False)
        start = value
        if start is None:
            start = spec.choices[0] if spec.choices else spec.minimum
        inner = control_for(base, start, choices=choices)
        return OptionalControl(inner, value, layout=widgets.Layout(width="auto"))
    if spec.choices is not None:
        cls = widgets.ToggleButtons if len(spec.choices) <= TOGGLE_MAX_CHOICES else widgets.Dropdown
        extra = {"style": {"description_width": "11em", "button_width": "8em"}} \
            if cls is widgets.ToggleButtons else {}
        return cls(options=list(spec.choices), value=value, **{**common, **extra})
    if spec.type == "bool":
        return widgets.Checkbox(value=bool(value), indent=True, **common)
    bounded = spec.minimum is not None and spec.maximum is not None
    if spec.type == "int":
        if bounded:
            return widgets.IntSlider(value=value, min=int(spec.minimum), max=int(spec.maximum),
                                     continuous_update=True, **common)
        return widgets.IntText(value=value if value is not None else 0, **common)
    if spec.type == "float":
        if bounded:
            lo, hi = float(spec.minimum), float(spec.maximum)
            return widgets.FloatSlider(value=value if value is not None else lo, min=lo, max=hi,
                                       step=_step(lo, hi), continuous_update=True,
                                       readout_format=".2f", **common)
        return widgets.FloatText(value=value if value is not None else 0.0, **common)
    return widgets.Text(value="" if value is None else str(value), **common)


def build_controls(schema: type[BaseModel] = ScenarioParams,
                   values: Mapping[str, Any] | None = None, *,
                   choices: Mapping[str, str] | None = None) -> dict[str, widgets.Widget]:
    """One control per schema field, in schema order, showing ``values`` (else defaults).

    Examples
    --------
    >>> controls = build_controls(values={"council": "E4203"})
    >>> list(controls) == list(ScenarioParams.model_fields)
    True
    >>> controls["council"].ecode(), type(controls["programme"]).__name__
    ('E4203', 'Dropdown')
    """
    values = dict(values or {})
    return {s.name: control_for(s, values.get(s.name, s.default), choices=choices)
            for s in field_specs(schema)}


def shown_default(name: str, result: ScenarioResult) -> tuple[float | int | None, str]:
    """What the control of field ``name`` shows while "cited default" is ticked.

    The value the model used, from ``result.settings``; for a field the model uses on one
    cut path only (:data:`SHOWN_FROM_METRICS`), the chosen path's own value from
    ``result.metrics`` on the other paths.  So the front-loading control shows the SR2010
    path's index on that path, the council's own on its actual path, and on the
    parametric path the index the model gave it.  Returns ``(value, note)``: a value with
    an empty note, or None with the reason the model gives none (such as "no net cut").

    Examples
    --------
    >>> from sharedservices.model import scenario
    >>> r = scenario.run_scenario("E2532", cut_path="sr2010")
    >>> shown_default("front_loading", r) == (r.metrics["front_loading_index"], "")
    True
    >>> import math
    >>> math.isclose(shown_default("front_loading", r)[0], scenario.sr2010_front_loading_index())
    True
    >>> shown_default("frontline_cut_persistence", r) == (r.settings["frontline_cut_persistence"], "")
    True
    """
    from sharedservices.model.cuts import NO_NET_CUT

    value = result.settings.get(name)
    if value is None and name in SHOWN_FROM_METRICS:
        value = result.metrics.get(SHOWN_FROM_METRICS[name])
        if value is None:
            return None, NO_NET_CUT
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None, ""
    return value, ""


def _control_value(control: widgets.Widget) -> Any:
    if isinstance(control, CouncilPicker):
        return control.ecode()
    return control.value


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------


def validate_values(raw: Mapping[str, Any], schema: type[BaseModel] = ScenarioParams) -> dict[str, Any]:
    """Validate values against the schema as the reports do; return them, defaults filled in.

    Raises
    ------
    InputError
        One line naming the parameter, the value and what is allowed (the wording of
        :func:`sharedservices.report.params.validate`).

    Examples
    --------
    >>> validate_values({"council": "E2532", "horizon": 12})["horizon"]
    12
    >>> validate_values({"savings_multiplier": 7.0})
    Traceback (most recent call last):
    ...
    sharedservices.errors.InputError: parameter 'savings_multiplier': 7.0 is out of range (allowed: finite number 0..5)
    """
    return _params.validate_schema(schema, dict(raw), owner="the explorer")


# --------------------------------------------------------------------------------------
# Metrics panel
# --------------------------------------------------------------------------------------


def _gbp_m(v_gbp_thousand: float | None) -> str:
    return fmt.gbp_m(None if v_gbp_thousand is None else v_gbp_thousand / 1000)


def _pct(v: float | None) -> str:
    return fmt.pct(v, missing="n/a")


def format_metrics(metrics: Mapping[str, Any], settings: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The headline metrics of a scenario as display text (label -> text).

    Money is £m, 2010-11 prices; each share names its basis.

    Examples
    --------
    >>> from sharedservices.report.scenarios import run_from_params
    >>> r = run_from_params({"council": "E2532", "savings_multiplier": 0.0})
    >>> format_metrics(r.metrics)["Payback year"]
    'none by 2020-21'
    """
    fy_label = fmt.financial_year
    h = int(metrics["horizon"])
    pb = metrics.get("payback_financial_year")
    discount = (settings or {}).get("discount", "green_book")
    basis = "Green Book discount rates" if discount == "green_book" else "undiscounted"
    cov = metrics.get("coverage_by_year") or {}
    cov_text = ", ".join(f"{fy}: {'no gap' if c is None else _pct(c)}"
                         for fy, c in list(cov.items())[1:COVERAGE_YEARS_SHOWN + 1])
    return {
        "Payback year": pb if pb is not None else f"none by {fy_label(h)}",
        "NPV of the programme": f"{_gbp_m(metrics.get('npv_gbp_thousand'))} "
                                f"(2010-11 prices, {basis}, before financing)",
        "Budget effect after financing": f"{_gbp_m(metrics.get('budget_effect_pv_gbp_thousand'))} "
                                         "(present value, 2010-11 prices; for comparison, not a ranking)",
        "Steady-state net saving": (
            f"{_gbp_m(metrics.get('steady_state_saving_gbp_thousand'))} a year (2010-11 prices) = "
            f"{_pct(metrics.get('steady_state_saving_share_of_core_spending'))} of core spending, "
            f"{_pct(metrics.get('steady_state_saving_share_of_tse'))} of total service expenditure"
        ),
        "One-off cost": f"{_gbp_m(metrics.get('one_off_cost_gbp_thousand'))} (2010-11 prices)",
        "Coverage of the funding gap by net savings": cov_text or "n/a",
        "Front-loading penalty": (
            f"{_gbp_m(metrics.get('front_loading_penalty_gbp_thousand'))}-years of front-line cuts "
            f"= {_pct(metrics.get('front_loading_penalty_share_of_core_spending'))} of a year's core "
            f"spending (without the programme: "
            f"{_gbp_m(metrics.get('front_loading_penalty_no_programme_gbp_thousand'))}); "
            f"front-loading index {metrics.get('front_loading_index_label', 'n/a')}"
        ),
    }


def _metrics_html(lines: Mapping[str, str], ms: float | None) -> str:
    rows = "".join(f"<tr><th style='text-align:left;padding-right:1em;vertical-align:top'>"
                   f"{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in lines.items())
    timing = "" if ms is None else f"<div style='color:#777;font-size:85%'>recomputed in {ms:.0f} ms</div>"
    return f"<table class='ss-explorer-metrics'>{rows}</table>{timing}"


# --------------------------------------------------------------------------------------
# Timing chart (matplotlib, updated in place and blitted)
# --------------------------------------------------------------------------------------


class TimingChart:
    """The timing gap chart, its lines updated in place and rendered to PNG bytes.

    Lines (£m, 2010-11 prices, by year): the funding gap, net savings after financing,
    front-line cuts, and the programme's cumulative cash flow, with a marker at the
    payback year.  The axes, grid and legend are drawn once and blitted; they are redrawn
    only when the data leave the current limits or the horizon changes.
    """

    #: (column, legend label, line style, palette index): the funding gap and net
    #: savings in the colours and words of the payback report's timing chart
    #: (:func:`sharedservices.report.figures.payback_timing_chart`).
    SERIES = (
        ("funding_gap", "funding gap", "-", 5),
        ("net_savings", "net savings after financing", "-", 0),
        ("frontline_cuts", "front-line cuts", "-", 3),
        ("cumulative_cash_flow", "programme cash flow, cumulative", "--", 2),
    )

    #: Margin added above and below the data when the limits are reset (fraction of range).
    HEADROOM = 0.15
    #: Limits are reset (a full redraw) when the data span less than this share of them.
    SHRINK_BELOW = 0.4

    def __init__(self, *, width: float = 7.5, height: float = 3.8, dpi: int = 80) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.ticker import FuncFormatter, MaxNLocator
        from matplotlib.transforms import Bbox

        from sharedservices.model.cuts import fy_label
        from sharedservices.report import style

        style.use()
        self.figure = Figure(figsize=(width, height), dpi=dpi)
        self.canvas = FigureCanvasAgg(self.figure)
        ax = self.ax = self.figure.add_subplot()
        self.figure.subplots_adjust(left=0.1, right=0.95, top=0.84, bottom=0.2)
        self.lines = {}
        for key, label, ls, colour in self.SERIES:
            (self.lines[key],) = ax.plot([], [], ls, color=style.PALETTE[colour], lw=2, label=label,
                                         animated=True)
        self.payback = ax.axvline(0.0, color="#555555", lw=1, ls=":", animated=True, visible=False)
        ax.axhline(0.0, color="#333333", lw=0.8)
        legend = ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), fontsize=8, ncols=2)
        ax.set_xlabel("Financial year")
        ax.set_ylabel("£m, 2010-11 prices")
        ax.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda t, _: fy_label(int(t)) if t >= 0 else ""))
        source = self.figure.text(0.01, 0.01, SOURCE, ha="left", va="bottom", fontsize=7,
                                  color="#555555")
        self._background = None
        # The legend and source line sit outside the axes and never move: render them once
        # and paste their pixels back after each full redraw (text is what Agg draws slowest).
        self.canvas.draw()
        renderer = self.canvas.get_renderer()
        self._static = []
        for artist in (legend, source):
            box = artist.get_window_extent(renderer)
            self._static.append(self.canvas.copy_from_bbox(
                Bbox.from_extents(box.x0 - 2, box.y0 - 2, box.x1 + 2, box.y1 + 2)))
            artist.set_visible(False)
        self._limits: tuple[float, float, float, float] | None = None
        self.full_redraws = 0

    @staticmethod
    def series(timing: pd.DataFrame) -> dict[str, np.ndarray]:
        """The plotted series from a timing table, in £m (2010-11 prices)."""
        return {
            "funding_gap": timing["funding_gap"].to_numpy(float) / 1000,
            "net_savings": timing["net_savings"].to_numpy(float) / 1000,
            "frontline_cuts": timing["frontline_cuts"].to_numpy(float) / 1000,
            "cumulative_cash_flow": np.cumsum(timing["programme_cash_flow"].to_numpy(float)) / 1000,
        }

    def _needs_limits(self, x_hi: float, lo: float, hi: float) -> bool:
        if self._limits is None:
            return True
        _, cx, clo, chi = self._limits
        return cx != x_hi or lo < clo or hi > chi or (hi - lo) < self.SHRINK_BELOW * (chi - clo)

    def update(self, timing: pd.DataFrame, payback_year: int | None) -> bytes:
        """Replace the line data, redraw (blit unless the limits change), return PNG bytes.

        The title stating the finding is not drawn here: it changes with almost every
        move and text is the slowest thing Agg draws, so the explorer shows it as HTML
        above the image (see :func:`chart_title`).
        """
        x = timing.index.to_numpy(float)
        ys = self.series(timing)
        for key, y in ys.items():
            self.lines[key].set_data(x, y)
        self.payback.set_visible(payback_year is not None)
        if payback_year is not None:
            self.payback.set_xdata([payback_year, payback_year])
        allv = np.concatenate([v[np.isfinite(v)] for v in ys.values()] + [np.zeros(1)])
        lo, hi = float(allv.min()), float(allv.max())
        x_hi = float(x[-1]) if x.size else 1.0
        if self._needs_limits(x_hi, lo, hi):
            pad = self.HEADROOM * max(hi - lo, 1e-9)
            self._limits = (0.0, x_hi, lo - pad, hi + pad)
            self.ax.set_xlim(0.0, x_hi)
            self.ax.set_ylim(lo - pad, hi + pad)
            self.canvas.draw()  # animated artists are left out of the background
            for region in self._static:
                self.canvas.restore_region(region)
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
            self.full_redraws += 1
        else:
            self.canvas.restore_region(self._background)
        for line in (*self.lines.values(), self.payback):
            self.ax.draw_artist(line)
        return self.png()

    def png(self) -> bytes:
        """The current canvas as PNG bytes (fast compression)."""
        from PIL import Image

        rgb = np.asarray(self.canvas.buffer_rgba())[..., :3]
        out = io.BytesIO()
        Image.fromarray(np.ascontiguousarray(rgb), "RGB").save(out, format="png", compress_level=1)
        return out.getvalue()


def chart_title(metrics: Mapping[str, Any]) -> str:
    """The finding the timing chart shows, in words, from a scenario's metrics.

    Examples
    --------
    >>> chart_title({"council_name": "X", "payback_financial_year": "2015-16",
    ...              "coverage_year1": 0.25})
    'X: net savings cover 25.0% of the 2011-12 funding gap; the programme pays back in 2015-16'
    """
    name = metrics.get("council_name", metrics.get("council", ""))
    pb = metrics.get("payback_financial_year")
    c1 = metrics.get("coverage_year1")
    cover = ("there is no 2011-12 funding gap" if c1 is None
             else f"net savings cover {_pct(c1)} of the 2011-12 funding gap")
    pays = f"pays back in {pb}" if pb else "does not pay back within the horizon"
    return f"{name}: {cover}; the programme {pays}"


# --------------------------------------------------------------------------------------
# The explorer
# --------------------------------------------------------------------------------------


class Explorer:
    """Controls built from a scenario schema, a live timing chart and the headline metrics.

    Parameters
    ----------
    council : str
        RS or ONS code of the starting council.
    schema : pydantic model class
        The scenario schema the controls are built from and values are validated with
        (default :class:`~sharedservices.report.params.scenario_fields.ScenarioParams`).
    run : callable, optional
        ``values dict -> ScenarioResult`` (default :func:`sharedservices.report.scenarios.run_from_params`).

    Attributes
    ----------
    controls : dict of str to Widget
        One control per schema field, by field name; set ``control.value`` to change it.
    values : dict
        The validated values of the last successful recompute.
    result : ScenarioResult or None
        Its result; ``metrics`` is ``result.metrics``.
    message : ipywidgets.HTML
        One-line error (an invalid value or combination), empty when all is well.
    last_ms : float
        Wall time of the last recompute, milliseconds (validation, model, chart, panel).
    """

    def __init__(self, council: str = "E2532", *, schema: type[BaseModel] = ScenarioParams,
                 run: Callable[[dict[str, Any]], ScenarioResult] | None = None) -> None:
        from sharedservices.report.scenarios import run_from_params

        self.schema = schema
        self._run = run or run_from_params
        self.choices = council_choices()
        self.controls = build_controls(schema, {"council": council}, choices=self.choices)
        self.values: dict[str, Any] = {}
        self.result: ScenarioResult | None = None
        self.error: str = ""
        self.last_ms = float("nan")
        self.chart = TimingChart()
        width = f"{int(self.chart.figure.get_figwidth() * self.chart.figure.dpi)}px"
        self.image = widgets.Image(format="png", layout=widgets.Layout(width=width, min_width=width))
        self.panel = widgets.HTML()
        self.title = widgets.HTML()
        self.message = widgets.HTML()
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        grid = widgets.GridBox(list(self.controls.values()),
                               layout=widgets.Layout(grid_template_columns="repeat(2, 1fr)",
                                                     grid_gap="2px 12px"))
        chart = widgets.VBox([self.title, self.image],
                             layout=widgets.Layout(width=width, flex="0 0 auto", margin="0 16px 0 0"))
        self.panel.layout = widgets.Layout(flex="1 1 320px")
        self.widget = widgets.VBox([grid, self.message, widgets.HBox(
            [chart, self.panel], layout=widgets.Layout(flex_flow="row wrap"))])
        self.refresh()

    @property
    def metrics(self) -> dict[str, Any]:
        """Headline metrics of the last successful recompute (``ScenarioResult.metrics``)."""
        return {} if self.result is None else self.result.metrics

    def raw_values(self) -> dict[str, Any]:
        """The controls' current values, by field name (not yet validated)."""
        return {name: _control_value(c) for name, c in self.controls.items()}

    def _on_change(self, _change: dict[str, Any]) -> None:
        self.refresh()

    def refresh(self) -> bool:
        """Validate the controls' values, rerun the scenario and update chart and panel.

        Returns False (and shows a one-line message, keeping the last good chart) when a
        value or a combination is refused.
        """
        t0 = time.perf_counter()
        try:
            values = validate_values(self.raw_values(), self.schema)
            result = self._run(values)
        except SharedServicesError as exc:
            self._fail(str(exc).splitlines()[0])
            return False
        except (ValueError, ArithmeticError) as exc:  # the model refused the combination
            self._fail(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
            return False
        self.values, self.result, self.error = values, result, ""
        self._enable_parametric(values.get("cut_path"))
        m = result.metrics
        self.image.value = self.chart.update(result.timing, m.get("payback_year"))
        self.title.value = f"<b>{html.escape(chart_title(m))}</b>"
        for name, control in self.controls.items():
            if isinstance(control, OptionalControl):
                control.show_default(*shown_default(name, result))
        self.last_ms = 1000 * (time.perf_counter() - t0)
        self.panel.value = _metrics_html(format_metrics(m, result.settings), self.last_ms)
        self.message.value = ""
        return True

    def _enable_parametric(self, cut_path: str | None) -> None:
        off = cut_path is not None and cut_path != "parametric"
        for name in PARAMETRIC_ONLY:
            control = self.controls.get(name)
            if isinstance(control, OptionalControl):
                control.cited.disabled = off
                control.inner.disabled = off or control.value is None
            elif control is not None:
                control.disabled = off

    def _fail(self, text: str) -> None:
        self.error = text
        self.message.value = (f"<div style='color:#B00020'>{html.escape(text)} "
                              "(chart and metrics show the last valid values)</div>")

    def snapshot_html(self) -> str:
        """The current chart and metrics as static HTML (for exports without live widgets)."""
        import base64

        if self.result is None:
            return f"<p>{html.escape(self.error)}</p>"
        png = base64.b64encode(bytes(self.image.value)).decode("ascii")
        return (f"<div class='ss-explorer-snapshot'><p>{self.title.value}</p>"
                f"<img alt='{html.escape(chart_title(self.metrics))}' "
                f"src='data:image/png;base64,{png}'/>"
                f"{_metrics_html(format_metrics(self.metrics, self.result.settings), None)}</div>")

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        """The live widget, with a static snapshot for frontends and exports without widgets."""
        bundle = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        bundle["text/html"] = self.snapshot_html()
        return bundle


def show(council: str = "E2532") -> None:
    """Display the explorer in a notebook, starting on ``council`` (RS or ONS code).

    Raises
    ------
    InputError
        ``council`` is not an English principal council.
    """
    from IPython.display import display

    start = _params.validate("explorer", {"council": council})["council"]
    display(Explorer(start))
