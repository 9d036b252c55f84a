"""The one way the reports write numbers: money, percentages, shares, financial years, counts.

Used by the findings (key-findings prose), the tables, the figures' titles and annotations,
and the explorer, so a number reads the same wherever it appears.  One sign convention: a
negative number is written with the minus sign U+2212 before everything else, the pound sign
included (``−£12.0m``, ``−5.0%``); a value that rounds to zero has no sign (``£0.0m``).
Machine-readable outputs (CSV tables, JSON headlines) keep plain numbers.

Examples
--------
>>> gbp_m(-12.04), gbp_m(1234.5), pct(-0.05), pct(0.1557), count(12345)
('−£12.0m', '£1,234.5m', '−5.0%', '15.6%', '12,345')
"""

from __future__ import annotations

import math
import re

from sharedservices.model.cuts import fy_label

__all__ = ["MINUS", "count", "financial_year", "gbp_bn", "gbp_m", "headline_value", "number", "pct", "pct_value",
           "signed"]

#: The minus sign of every negative number in text (U+2212, not a hyphen).
MINUS = "\u2212"


def signed(text_of_magnitude: str, negative: bool) -> str:
    """Put the minus sign before a formatted magnitude when the value is negative.

    Examples
    --------
    >>> signed("£3.0m", True), signed("£3.0m", False)
    ('−£3.0m', '£3.0m')
    """
    return f"{MINUS}{text_of_magnitude}" if negative else text_of_magnitude


def _rounds_negative(x: float, decimals: int) -> bool:
    return round(float(x), decimals) < 0


def number(x: float | None, decimals: int = 1, missing: str = "n/a") -> str:
    """A plain number with thousands separators and the minus sign.

    Examples
    --------
    >>> number(-1234.56), number(0.04), number(None)
    ('−1,234.6', '0.0', 'n/a')
    """
    if x is None:
        return missing
    return signed(f"{abs(float(x)):,.{decimals}f}", _rounds_negative(x, decimals))


def gbp_m(x_gbp_m: float | None, decimals: int = 1, missing: str = "n/a") -> str:
    """Money in £m (the value given in £m), one decimal by default: ``£1.2m``, ``−£12.0m``.

    Examples
    --------
    >>> gbp_m(1.234), gbp_m(-12.0), gbp_m(None), gbp_m(-0.01), gbp_m(29.5, 0)
    ('£1.2m', '−£12.0m', 'n/a', '£0.0m', '£30m')
    """
    if x_gbp_m is None:
        return missing
    return signed(f"£{abs(float(x_gbp_m)):,.{decimals}f}m", _rounds_negative(x_gbp_m, decimals))


def gbp_bn(x_gbp_thousand: float, decimals: int = 1) -> str:
    """Money given in £ thousand, written in £bn: ``£45.3bn``.

    Examples
    --------
    >>> gbp_bn(45283348.0), gbp_bn(-1.5e6)
    ('£45.3bn', '−£1.5bn')
    """
    v = float(x_gbp_thousand) / 1e6
    return signed(f"£{abs(v):,.{decimals}f}bn", _rounds_negative(v, decimals))


def pct(share: float | None, decimals: int = 1, missing: str = "no gap") -> str:
    """A share (a fraction) as a percentage: ``15.6%``, ``−5.0%`` (``missing`` for None).

    Examples
    --------
    >>> pct(0.1557), pct(None), pct(0.25, 0), pct(-1e-12), pct(None, missing="n/a")
    ('15.6%', 'no gap', '25%', '0.0%', 'n/a')
    """
    if share is None:
        return missing
    return pct_value(100.0 * float(share), decimals)


def pct_value(x_pct: float | None, decimals: int = 1, missing: str = "n/a") -> str:
    """A number already in per cent: ``7.2%``, ``−23.9%``.

    Examples
    --------
    >>> pct_value(7.2), pct_value(-23.86, 0)
    ('7.2%', '−24%')
    """
    if x_pct is None:
        return missing
    return signed(f"{abs(float(x_pct)):,.{decimals}f}%", _rounds_negative(x_pct, decimals))


def financial_year(t: int) -> str:
    """The financial year of model year ``t`` (year 0 is 2010-11).

    Examples
    --------
    >>> financial_year(0), financial_year(4)
    ('2010-11', '2014-15')
    """
    return fy_label(t)


def count(n: int | float) -> str:
    """A count with thousands separators: ``10,000``.

    Examples
    --------
    >>> count(10000), count(353.0)
    ('10,000', '353')
    """
    return signed(f"{abs(int(round(float(n)))):,}", round(float(n)) < 0)


#: Units of recorded headlines that are counts (the unit's first word).
_COUNT_UNITS = ("councils", "claims", "draws", "pairings", "service", "classes", "reports", "cases")
_NONE_MEANS = re.compile(r"None\s*=\s*([^;)]+)")


def none_means(unit: str, default: str = "n/a") -> str:
    """What a headline's unit says a missing value means (``"model year (None = never)"``).

    Examples
    --------
    >>> none_means("model year (0 = 2010-11; None = never)"), none_means("£m, 2010-11 prices")
    ('never', 'n/a')
    """
    m = _NONE_MEANS.search(unit or "")
    return m.group(1).strip() if m else default


def headline_value(value: float | int | str | None, unit: str) -> str:
    """A recorded headline (``display.headline``) written for a reader, from its unit.

    The unit's first word decides: ``£m`` money with one decimal; ``fraction``, ``probability``
    or ``share`` a percentage; ``%`` a number already in per cent; ``model year`` the financial
    year; ``ratio`` "N times"; a count unit (councils, claims, draws, ...) a count; anything
    else a number with two decimals.  A missing value is written as the unit says None means
    ("never"), else "n/a"; text is returned as it is.

    Examples
    --------
    >>> headline_value(5, "model year (0 = 2010-11; None = never)")
    '2015-16'
    >>> headline_value(None, "model year (0 = 2010-11; None = never)")
    'never'
    >>> headline_value(0.0726, "fraction of the 2011-12 funding gap (None = no gap)")
    '7.3%'
    >>> headline_value(-0.0001, "fraction of the penalty without the programme")
    '0.0%'
    >>> headline_value(-12.04, "£m, 2010-11 prices"), headline_value(4.2, "% of total service expenditure")
    ('−£12.0m', '4.2%')
    >>> headline_value(1.6, "ratio (claim / model)"), headline_value(353, "councils")
    ('1.6 times', '353')
    >>> headline_value(0.31, "index (0 even, 1 all in year 1)"), headline_value("broad", "name")
    ('0.31', 'broad')
    """
    unit = unit or ""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return none_means(unit)
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    head = unit.strip().lower()
    first = head.split(" ", 1)[0].rstrip(",") if head else ""
    if isinstance(value, float) and math.isinf(value):
        return "unbounded"
    if head.startswith("£m"):
        return gbp_m(value)
    if first in ("fraction", "probability", "share"):
        return pct(value, missing=none_means(unit))
    if head.startswith("%"):
        return pct_value(value)
    if head.startswith("model year"):
        return financial_year(int(value))
    if first == "ratio":
        return f"{number(value, 1)} times"
    if first in _COUNT_UNITS:
        return count(value)
    return number(value, 2)
