"""Shared-service programmes: which services are shared, and when savings and costs arrive.

Conventions
-----------
* Years are integer indices (0 = 2010-11).  Money is real 2010-11 prices, £ thousand.
  Profiles are returned as positive amounts (savings, running costs, one-off costs); the
  cash flow of a programme is ``gross_savings - running_costs - one_off_costs``.
* A service's **addressable spend** is its year-0 spend times its addressable share.
  Its steady-state gross saving is ``savings_rate x addressable spend`` a year; its running
  cost is ``running_cost_ratio x addressable spend`` a year; its one-off cost is
  ``one_off_cost_ratio x addressable spend``, paid in the programme's start year.
* **Timing.** Savings begin at the start of year ``start_year + lead_time`` and rise
  linearly to the full rate over ``ramp_years``; a year's saving is the average over that
  year (so with a one-year ramp the first year gets half).  Lead times and ramps may be
  fractional (optimism bias lengthens them).  Running costs run from the same moment,
  at their full level.
* **Failure.** Each year after its first, the partnership fails with probability p; after
  failure savings and running costs stop.  The deterministic model weights savings and
  running costs by the survival probability ``(1 - p)^(t - start_year)``; the Monte Carlo
  model (:mod:`sharedservices.model.uncertainty`) draws a failure year instead.
* **Partners.** Savings and costs are split between partners in proportion to their spend
  on each service (so the council's share is its own addressable spend times the rates),
  unless a service's ``cost_share`` sets the council's share of costs otherwise.

The array kernel :func:`service_profiles` broadcasts over leading axes (draws) so the
deterministic and Monte Carlo models share one piece of arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from sharedservices.errors import InputError

__all__ = [
    "SERVICES",
    "central_services_base",
    "Programme",
    "ProgrammeArrays",
    "ServiceShare",
    "failure_years",
    "programme_arrays",
    "ramp_fraction",
    "service_profiles",
    "split_in_proportion",
    "steady_state_saving",
    "survival",
]


#: The service lines (slugs of the ``spending`` table) the model works with.
SERVICES: tuple[str, ...] = (
    "education",
    "highways_transport",
    "childrens_social_care",
    "adult_social_care",
    "public_health",
    "housing",
    "cultural",
    "environmental_regulatory",
    "planning_development",
    "police",
    "fire",
    "central",
    "other",
)


@dataclass(frozen=True)
class ServiceShare:
    """One service shared under a programme.

    Attributes
    ----------
    service : str
        Service slug (as in the ``spending`` table), e.g. ``"central"``.
    addressable_share : float
        Fraction of the service's spend the sharing can touch (0-1).
    savings_rate : float
        Steady-state gross saving, fraction of addressable spend per year.
    one_off_cost_ratio : float
        One-off cost (redundancy, systems, transition), fraction of addressable spend.
    lead_time_years : float
        Years from the start year before any saving.
    ramp_years : float
        Years from first saving to the full rate (0 = at once).
    running_cost_ratio : float
        Ongoing running cost of the partnership, fraction of addressable spend per year.
    failure_probability : float or None
        Annual probability the partnership fails; None = the programme's.
    cost_share : float or None
        The council's share of this service's costs; None = in proportion to spend.
    capital_share : float
        Share of the one-off cost that is capital spending (systems, equipment,
        buildings), which a council may borrow for; the rest is revenue.
    """

    service: str
    addressable_share: float
    savings_rate: float
    one_off_cost_ratio: float
    lead_time_years: float
    ramp_years: float
    running_cost_ratio: float = 0.0
    failure_probability: float | None = None
    cost_share: float | None = None
    capital_share: float = 0.0

    def __post_init__(self) -> None:
        for name in ("addressable_share", "savings_rate", "capital_share"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise InputError(f"{self.service}.{name}: {v!r} (allowed: a fraction 0 to 1)")
        for name in ("one_off_cost_ratio", "lead_time_years", "ramp_years", "running_cost_ratio"):
            v = getattr(self, name)
            if not v >= 0.0:
                raise InputError(f"{self.service}.{name}: {v!r} (allowed: >= 0)")
        for name in ("failure_probability", "cost_share"):
            v = getattr(self, name)
            if v is not None and not 0.0 <= v <= 1.0:
                raise InputError(f"{self.service}.{name}: {v!r} (allowed: a fraction 0 to 1, or None)")


@dataclass(frozen=True)
class Programme:
    """A set of services shared with one or more partners.

    Attributes
    ----------
    name : str
    services : tuple of ServiceShare
    start_year : int
        Year the programme starts and its one-off cost is paid (default 1, 2011-12).
    failure_probability : float
        Annual probability that the partnership fails (default for every service).
    partner_spend : mapping of str to float
        Partners' combined spend on each service, £ thousand (only needed where a
        service sets ``cost_share``).
    back_office_overhead_share : float
        Back-office overhead recharged into the other services, fraction of their spend
        (RS "central services" understate the back office).  When the programme shares
        ``overhead_service``, that share of every other service's spend is added to its
        addressable spend, at its rates.
    overhead_service : str
        The service that carries the back office (``"central"``).
    overhead_services : tuple of str or None
        The services whose spend carries that overhead (non-schools services:
        ``programmes.back_office_overhead_services``); None = every other service.
    """

    name: str
    services: tuple[ServiceShare, ...]
    start_year: int = 1
    failure_probability: float = 0.0
    partner_spend: Mapping[str, float] = field(default_factory=dict)
    back_office_overhead_share: float = 0.0
    overhead_service: str = "central"
    overhead_services: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if not self.services:
            raise InputError(f"programme {self.name!r}: no services (allowed: at least one)")
        slugs = [s.service for s in self.services]
        if len(set(slugs)) != len(slugs):
            raise InputError(f"programme {self.name!r}: services repeat in {slugs} (allowed: each once)")
        if int(self.start_year) != self.start_year or self.start_year < 0:
            raise InputError(f"programme start year: {self.start_year!r} (allowed: a year index >= 0)")
        if not 0.0 <= self.failure_probability <= 1.0:
            raise InputError(
                f"programme failure probability: {self.failure_probability!r} (allowed: 0 to 1)"
            )

    @property
    def service_slugs(self) -> tuple[str, ...]:
        """The slugs of the services shared."""
        return tuple(s.service for s in self.services)

    def with_failure_probability(self, p: float) -> Programme:
        """A copy with another annual failure probability for every service."""
        return replace(
            self,
            failure_probability=p,
            services=tuple(replace(s, failure_probability=None) for s in self.services),
        )


def split_in_proportion(spend_by_partner: Mapping[str, float]) -> dict[str, float]:
    """Each partner's share of a shared service, in proportion to its spend.

    Examples
    --------
    >>> split_in_proportion({"A": 300.0, "B": 100.0})
    {'A': 0.75, 'B': 0.25}
    """
    total = float(sum(spend_by_partner.values()))
    if total <= 0 or any(v < 0 for v in spend_by_partner.values()):
        raise InputError(f"partner spend: {dict(spend_by_partner)!r} (allowed: non-negative, total > 0)")
    return {k: float(v) / total for k, v in spend_by_partner.items()}


# --------------------------------------------------------------------------------------
# Arrays and the vectorised kernel
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeArrays:
    """A programme for one council as arrays over its S services (all shape (S,)).

    ``addressable`` is £ thousand real; ``cost_scale`` turns a rate on the council's own
    addressable spend into the council's share of costs (1 when costs follow spend).
    """

    services: tuple[str, ...]
    addressable: np.ndarray
    savings_rate: np.ndarray
    one_off_ratio: np.ndarray
    lead: np.ndarray
    ramp: np.ndarray
    running_ratio: np.ndarray
    failure_probability: np.ndarray
    cost_scale: np.ndarray
    start_year: int
    capital_share: np.ndarray | None = None

    def capital_fraction(self, one_off_ratio: npt.ArrayLike | None = None) -> float:
        """Share of the programme's one-off cost that is capital spending (cost-weighted).

        Examples
        --------
        >>> a = programme_arrays(Programme("d", (ServiceShare("central", 1, 0.1, 1, 1, 0, capital_share=0.8),
        ...                                      ServiceShare("cultural", 1, 0.1, 1, 1, 0))), {"central": 300.0, "cultural": 100.0})
        >>> round(a.capital_fraction(), 3)
        0.6
        """
        oo = self.one_off_ratio if one_off_ratio is None else np.asarray(one_off_ratio, dtype=float)
        w = self.addressable * self.cost_scale * oo
        k = np.zeros_like(w) if self.capital_share is None else self.capital_share
        return float((w * k).sum() / w.sum()) if w.sum() > 0 else 0.0


def programme_arrays(programme: Programme, spend: Mapping[str, float]) -> ProgrammeArrays:
    """Turn a programme and a council's year-0 spend by service into arrays.

    Parameters
    ----------
    programme : Programme
    spend : mapping of str to float
        Year-0 spend by service slug, £ thousand real.

    Raises
    ------
    InputError
        A shared service has no spend figure, or a ``cost_share`` without partner spend.

    Examples
    --------
    >>> p = Programme("demo", (ServiceShare("central", 0.5, 0.2, 1.0, 1, 0),))
    >>> programme_arrays(p, {"central": 1000.0}).addressable.tolist()
    [500.0]
    >>> p = Programme("demo", (ServiceShare("central", 0.5, 0.2, 1.0, 1, 0),),
    ...               back_office_overhead_share=0.1)
    >>> programme_arrays(p, {"central": 1000.0, "education": 2000.0}).addressable.tolist()
    [700.0]
    >>> p = replace(p, overhead_services=("cultural",))   # schools' overheads left out
    >>> programme_arrays(p, {"central": 1000.0, "education": 2000.0, "cultural": 500.0}).addressable.tolist()
    [550.0]
    """
    own, cost_scale = [], []
    for s in programme.services:
        if s.service not in spend:
            raise InputError(f"programme service: {s.service!r} has no spend (allowed: {', '.join(spend)})")
        v = float(spend[s.service])
        addressable = v * s.addressable_share
        if s.service == programme.overhead_service and programme.back_office_overhead_share:
            carriers = SERVICES if programme.overhead_services is None else programme.overhead_services
            others = sum(float(spend.get(o, 0.0)) for o in carriers if o != s.service)
            addressable += programme.back_office_overhead_share * others
        own.append(addressable)
        if s.cost_share is None:
            cost_scale.append(1.0)
        else:
            partners = programme.partner_spend.get(s.service)
            if partners is None:
                raise InputError(f"{s.service}.cost_share: set without partner spend (allowed: give programme.partner_spend)")
            cost_scale.append(s.cost_share * (v + float(partners)) / v if v > 0 else 0.0)
    sv = programme.services

    def arr(name: str) -> np.ndarray:
        return np.array([float(getattr(s, name)) for s in sv])

    fp = np.array([programme.failure_probability if s.failure_probability is None else s.failure_probability for s in sv])
    return ProgrammeArrays(
        services=programme.service_slugs,
        addressable=np.array(own),
        savings_rate=arr("savings_rate"),
        one_off_ratio=arr("one_off_cost_ratio"),
        lead=arr("lead_time_years"),
        ramp=arr("ramp_years"),
        running_ratio=arr("running_cost_ratio"),
        failure_probability=fp,
        cost_scale=np.array(cost_scale),
        start_year=int(programme.start_year),
        capital_share=arr("capital_share"),
    )


def central_services_base(central_real: Mapping[str, float], years: Sequence[str],
                          instability: float) -> tuple[float, tuple[str, ...]]:
    """The back-office base of RS central services: the median of several years, and flags.

    One year's central-services line can hold one-off items or be negative, so the base a
    back-office programme works on is the median of the council's real central-services
    spend over ``years`` (the years it has), floored at 0.

    Parameters
    ----------
    central_real : mapping of str to float
        Year -> real central-services net current expenditure, £ thousand.
    years : sequence of str
        The years to take the median over.
    instability : float
        Relative distance of the first year's line from the base that flags it unstable.

    Returns
    -------
    (float, tuple of str)
        The base (£ thousand real) and flags: ``central_negative`` (negative in a year),
        ``central_unstable`` (the first year far from the base).

    Examples
    --------
    >>> central_services_base({"2010-11": 8.2, "2011-12": 4.0, "2012-13": 4.2}, ["2010-11", "2011-12", "2012-13"], 0.25)
    (4.2, ('central_unstable',))
    >>> central_services_base({"2010-11": -0.3, "2011-12": 0.1, "2012-13": -0.2}, ["2010-11", "2011-12", "2012-13"], 0.25)
    (0.0, ('central_negative', 'central_unstable'))
    """
    vals = [float(central_real[y]) for y in years if y in central_real and np.isfinite(central_real[y])]
    if not vals:
        return 0.0, ("central_missing",)
    base = max(float(np.median(vals)), 0.0)
    flags = []
    if min(vals) < 0:
        flags.append("central_negative")
    first = vals[0]
    if abs(first - base) > instability * max(base, 1e-9):
        flags.append("central_unstable")
    return base, tuple(flags)


def ramp_fraction(years: npt.ArrayLike, onset: npt.ArrayLike, ramp: npt.ArrayLike) -> np.ndarray:
    """Share of the full annual saving earned in each year.

    The saving rate rises linearly from 0 at time ``onset`` (start of that year) to 1 at
    ``onset + ramp`` and stays there; each year gets its average over the year.
    Broadcasts: ``years`` on the last axis, ``onset``/``ramp`` with a trailing axis of 1.

    Examples
    --------
    >>> ramp_fraction(np.arange(6), 2.0, 2.0).tolist()
    [0.0, 0.0, 0.25, 0.75, 1.0, 1.0]
    >>> ramp_fraction(np.arange(4), 1.0, 0.0).tolist()
    [0.0, 1.0, 1.0, 1.0]
    """
    t = np.asarray(years, dtype=float)
    a = np.asarray(onset, dtype=float)
    r = np.asarray(ramp, dtype=float)
    ramped = r > 1e-12  # a ramp shorter than that is no ramp (avoids 0.5 / subnormal)
    half_inv = np.where(ramped, 0.5 / np.where(ramped, r, 1.0), 0.0)
    y0 = t - a
    y1 = y0 + 1.0
    return _ramp_integral(y1, r, half_inv) - _ramp_integral(y0, r, half_inv)


def _ramp_integral(y: np.ndarray, r: np.ndarray, half_inv: np.ndarray) -> np.ndarray:
    """Integral of clip(x / r, 0, 1) from 0 to y (overwrites ``y``; r = 0: max(y, 0))."""
    yc = np.maximum(y, 0.0)  # clip(y, 0, r), faster than np.clip with array bounds
    np.minimum(yc, r, out=yc)
    np.multiply(yc, yc, out=yc)
    np.multiply(yc, half_inv, out=yc)
    np.subtract(y, r, out=y)
    np.maximum(y, 0.0, out=y)
    np.add(y, yc, out=y)
    return y


def _on_fraction(years: np.ndarray, onset: np.ndarray) -> np.ndarray:
    """Share of a year after ``onset``: clip(t + 1 - onset, 0, 1)."""
    y = years - onset
    y += 1.0
    np.maximum(y, 0.0, out=y)
    return np.minimum(y, 1.0, out=y)


def survival(years: npt.ArrayLike, start_year: int, failure_probability: npt.ArrayLike) -> np.ndarray:
    """Probability the partnership is still running in each year: ``(1-p)^(t-start)``.

    Examples
    --------
    >>> survival(np.arange(4), 1, 0.1).round(3).tolist()
    [1.0, 1.0, 0.9, 0.81]
    """
    t = np.asarray(years, dtype=float)
    p = np.asarray(failure_probability, dtype=float)[..., None]
    return (1.0 - p) ** np.maximum(t - start_year, 0.0)


def failure_years(uniform: npt.ArrayLike, start_year: int, failure_probability: npt.ArrayLike) -> np.ndarray:
    """Failure year from a uniform draw U in (0, 1]: ``start + ceil(log U / log(1-p))``.

    The partnership runs in years ``t < failure year``; ``P(t < F) = (1-p)^(t - start)``,
    matching :func:`survival`.  p = 0 gives infinity (never fails).

    Examples
    --------
    >>> failure_years([1.0, 0.5, 0.2], 1, 0.5).tolist()
    [2.0, 2.0, 4.0]
    """
    u = np.asarray(uniform, dtype=float)
    p = np.asarray(failure_probability, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.ceil(np.log(u) / np.log1p(-p))
    g = np.where(p <= 0, np.inf, np.where(p >= 1, 1.0, np.maximum(g, 1.0)))
    return start_year + g


def service_profiles(
    arrays: ProgrammeArrays,
    years: npt.ArrayLike,
    *,
    savings_rate: npt.ArrayLike | None = None,
    one_off_ratio: npt.ArrayLike | None = None,
    lead: npt.ArrayLike | None = None,
    ramp: npt.ArrayLike | None = None,
    running_ratio: npt.ArrayLike | None = None,
    alive: npt.ArrayLike | None = None,
    exit_cost_ratio: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gross savings, running costs and one-off costs by year, summed over services.

    Every keyword overrides the matching field of ``arrays`` and may carry leading draw
    axes: shape (..., S).  ``alive`` is the weight of each year, shape (..., S, T) or
    broadcastable: survival probabilities (deterministic) or 0/1 indicators (Monte Carlo);
    default the survival probabilities.

    ``exit_cost_ratio`` prices leaving a failed partnership: in the year it fails the
    council pays that multiple of the gross saving it earned the year before (redundancy,
    bringing services back, settling the contract).  It is added to the running costs:
    ``exit_t = ratio * g_{t-1} * (alive_{t-1} - alive_t)`` with ``g`` the saving had the
    partnership survived, so with survival probabilities it is the expected exit cost and
    with 0/1 indicators the cost in the one draw's failure year.

    Returns
    -------
    gross_savings, running_costs, one_off_costs : numpy.ndarray
        Shape (..., T), £ thousand real, all positive.

    Examples
    --------
    >>> p = Programme("demo", (ServiceShare("central", 1.0, 0.1, 0.5, 1, 1, 0.02),))
    >>> g, r, c = service_profiles(programme_arrays(p, {"central": 1000.0}), np.arange(5))
    >>> g.tolist(), r.tolist(), c.tolist()
    ([0.0, 0.0, 50.0, 100.0, 100.0], [0.0, 0.0, 20.0, 20.0, 20.0], [0.0, 500.0, 0.0, 0.0, 0.0])
    """
    t = np.asarray(years, dtype=float)
    a = arrays
    rate = a.savings_rate if savings_rate is None else np.asarray(savings_rate, dtype=float)
    oo = a.one_off_ratio if one_off_ratio is None else np.asarray(one_off_ratio, dtype=float)
    ld = a.lead if lead is None else np.asarray(lead, dtype=float)
    rp = a.ramp if ramp is None else np.asarray(ramp, dtype=float)
    rr = a.running_ratio if running_ratio is None else np.asarray(running_ratio, dtype=float)
    if alive is None:
        alive = survival(t, a.start_year, a.failure_probability)
    alive = np.asarray(alive, dtype=float)
    onset = (a.start_year + ld)[..., None]
    frac = ramp_fraction(t, onset, rp[..., None])
    frac *= alive
    frac *= (a.addressable * rate)[..., None]
    on = _on_fraction(t, onset)
    on *= alive
    on *= (a.addressable * a.cost_scale * rr)[..., None]
    if exit_cost_ratio:
        if not (np.isfinite(exit_cost_ratio) and exit_cost_ratio >= 0):
            raise InputError(f"exit cost ratio: {exit_cost_ratio!r} (allowed: a multiple >= 0)")
        g0 = ramp_fraction(t, onset, rp[..., None]) * (a.addressable * rate)[..., None]
        al = np.broadcast_to(alive, np.broadcast_shapes(alive.shape, g0.shape))
        exit_ = np.zeros_like(g0)
        exit_[..., 1:] = exit_cost_ratio * g0[..., :-1] * np.maximum(al[..., :-1] - al[..., 1:], 0.0)
        on = on + exit_
    # explicit products and sums (not einsum/BLAS) so that one draw and many draws add
    # up in the same order: the Monte Carlo model with zero spreads equals this exactly
    gross = frac.sum(axis=-2)
    running = on.sum(axis=-2)
    one_off_total = (a.addressable * a.cost_scale * oo).sum(axis=-1)
    one_off = np.zeros(np.shape(one_off_total) + t.shape)
    if 0 <= a.start_year < t.size:
        one_off[..., a.start_year] = one_off_total
    return gross, running, one_off


def steady_state_saving(arrays: ProgrammeArrays) -> dict[str, float]:
    """Full-rate annual saving, before failure, £ thousand real.

    Returns
    -------
    dict
        ``gross_gbp_thousand`` (savings), ``running_cost_gbp_thousand`` and
        ``net_gbp_thousand`` (gross minus running costs).

    Examples
    --------
    >>> p = Programme("demo", (ServiceShare("central", 1.0, 0.1, 0.5, 1, 1, 0.02),))
    >>> steady_state_saving(programme_arrays(p, {"central": 1000.0}))
    {'gross_gbp_thousand': 100.0, 'running_cost_gbp_thousand': 20.0, 'net_gbp_thousand': 80.0}
    """
    gross = float(arrays.addressable @ arrays.savings_rate)
    running = float((arrays.addressable * arrays.cost_scale) @ arrays.running_ratio)
    return {"gross_gbp_thousand": gross, "running_cost_gbp_thousand": running, "net_gbp_thousand": gross - running}
