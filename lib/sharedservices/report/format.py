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

__all__ = ["MINUS", "change", "count", "financial_year", "gbp", "gbp_bn", "gbp_m", "column_header", "financing_name",
           "headline_value", "number", "pct", "pct_value", "signed"]

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


def gbp(x_gbp: float | None, decimals: int = 0, missing: str = "n/a") -> str:
    """Money in pounds (a per-head figure, say): ``£1,234``, ``−£5``.

    Examples
    --------
    >>> gbp(1234.4), gbp(-5.2), gbp(None), gbp(12.345, 2)
    ('£1,234', '−£5', 'n/a', '£12.35')
    """
    if x_gbp is None:
        return missing
    return signed(f"£{abs(float(x_gbp)):,.{decimals}f}", _rounds_negative(x_gbp, decimals))


def change(x_pct: float, decimals: int = 1, up: str = "rose", down: str = "fell",
           flat: str = "did not change", size_first: bool = False) -> str:
    """A change already in per cent, in words: a verb and the size without a sign
    (``size_first``: the size, then the word, as in "7.2% less").

    A change that rounds to zero at ``decimals`` is ``flat``: never "fell 0.0%".

    Examples
    --------
    >>> change(-10.94), change(7.2), change(-0.04)
    ('fell 10.9%', 'rose 7.2%', 'did not change')
    >>> change(-7.24, 1, "more", "less", "no different", size_first=True)
    '7.2% less'
    """
    if round(float(x_pct), decimals) == 0:
        return flat
    size = pct_value(abs(float(x_pct)), decimals)
    word = up if x_pct > 0 else down
    return f"{size} {word}" if size_first else f"{word} {size}"


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


def _basis_words(unit: str) -> str:
    """The basis a percentage's unit names, as words to write after it ("" when none).

    Examples
    --------
    >>> _basis_words("fraction of the 2011-12 funding gap (None = no gap)")
    ' of the 2011-12 funding gap'
    >>> _basis_words("% of 2010-11 central funding, real"), _basis_words("fraction a year, nominal")
    (' of 2010-11 central funding', ' a year')
    >>> _basis_words("probability (share of draws; None = no gap)"), _basis_words("% (later / earlier index - 1)")
    (' of simulations', '')
    """
    head = unit.strip()
    first = head.split(" ", 1)[0].rstrip(",").lower() if head else ""
    if first == "probability":
        return " of simulations"
    rest = head[len(first):].strip() if first in ("fraction", "share") else head[1:].strip() if head.startswith("%") else ""
    m = re.match(r"(of [^(,;]+|a year)", rest)
    return " " + m.group(1).strip() if m else ""


def headline_value(value: float | int | str | None, unit: str, basis: bool = False) -> str:
    """A recorded headline (``display.headline``) written for a reader, from its unit.

    The unit's first word decides: ``£m`` money with one decimal; ``fraction``, ``probability``
    or ``share`` a percentage; ``%`` a number already in per cent; ``model year`` the financial
    year; ``ratio`` "N times"; a count unit (councils, claims, draws, ...) a count; anything
    else a number with two decimals.  A missing value is written as the unit says None means
    ("never"), else "n/a"; text is returned as it is.  With ``basis``, a percentage is
    followed by the basis its unit names ("7.3% of the 2011-12 funding gap"), as the
    provenance table and the record of changes write it.

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
    >>> headline_value(0.0726, "fraction of the 2011-12 funding gap (None = no gap)", basis=True)
    '7.3% of the 2011-12 funding gap'

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
        return pct(value, missing=none_means(unit)) + (_basis_words(unit) if basis else "")
    if head.startswith("%"):
        return pct_value(value) + (_basis_words(unit) if basis else "")
    if head.startswith("model year"):
        return financial_year(int(value))
    if first == "ratio":
        return f"{number(value, 1)} times"
    if first in _COUNT_UNITS:
        return count(value)
    return number(value, 2)


#: Words of a column name written as a reader writes them (the rest: lower case, spaced).
_HEADER_WORDS = {
    "npv": "NPV", "irr": "IRR", "sr2010": "SR2010", "tse": "total service expenditure",
    "ci": "CI", "se": "SE", "ons": "ONS", "rs": "RS", "ecode": "E-code", "lg": "LG",
    "del": "DEL", "abg": "ABG", "km": "km", "gbp": "£", "pv": "PV", "nlgn": "NLGN",
    "r": "r", "n": "number", "rollin": "roll-in", "frontline": "front-line",
    "p5": "5th percentile", "p25": "25th percentile", "p50": "median", "p75": "75th percentile",
    "p95": "95th percentile", "mantel": "Mantel", "studentized": "studentised",
    "url": "URL", "sha256": "SHA-256", "childrens": "children's", "cooks": "Cook's",
}
#: Phrases a header writes with a hyphen (after the words are spaced).
_HEADER_PHRASES = (("one off", "one-off"), ("front loading", "front-loading"),
                   ("front loaded", "front-loaded"), ("r squared", "R²"), ("p value", "p-value"),
                   ("far to near", "far-to-near"), ("green book", "Green Book"))
#: Unit suffixes of column names and how a header writes them.
_HEADER_UNITS = (("gbp_thousand", "£ thousand"), ("gbp_bn", "£bn"), ("gbp_m", "£m"), ("pct", "%"),
                 ("km", "km"))
_FY_IN_NAME = re.compile(r"(?<![0-9])(\d{4})_(\d{2})(?![0-9])")


def column_header(name: object) -> str:
    """A table column's machine name as a header a reader reads.

    Snake case becomes words, the first capitalised; a unit in the name (``gbp_m``,
    ``gbp_thousand``, ``gbp_bn``, ``pct``) goes in brackets at the end, or stays in place
    when "of" follows it (``pct_of_core_spending``: "% of core spending"); financial years
    are written ``2010-11``; acronyms in capitals.  A name with capitals or no underscore
    other than these (``UA``, ``2014-15``) is returned as it is, apart from its first letter.

    Examples
    --------
    >>> column_header("reserves_draw_gbp_m"), column_header("pct_of_core_spending")
    ('Reserves draw (£m)', '% of core spending')
    >>> column_header("median_real_cut_pct_of_2010_11"), column_header("saving_gbp_m_low")
    ('Median real cut, % of 2010-11', 'Saving, low (£m)')
    >>> column_header("npv_low_gbp_m"), column_header("p95_gbp_m"), column_header("UA")
    ('NPV low (£m)', '95th percentile (£m)', 'UA')
    >>> column_header("financial_year"), column_header("adult_social_care"), column_header("2014-15")
    ('Financial year', 'Adult social care', '2014-15')
    >>> column_header("saving_low_gbp_thousand"), column_header("pct_of_tse")
    ('Saving low (£ thousand)', '% of total service expenditure')
    >>> column_header("model_one_off_cost_gbp_m"), column_header("distance_km"), column_header("population_m")
    ('Model one-off cost (£m)', 'Distance (km)', 'Population (million)')
    >>> column_header("gbp_m"), column_header("r_squared"), column_header("source_url")
    ('£m', 'R²', 'Source URL')
    >>> column_header("rollin_pct_of_2010_11")
    'Roll-in, % of 2010-11'
    """
    text = str(name)
    if not re.fullmatch(r"[a-z0-9_]+", text) or text.isdigit():
        return text[:1].upper() + text[1:]
    bare = dict(_HEADER_UNITS)
    if text in bare:
        return bare[text]
    if text.endswith("_m") and not text.endswith("gbp_m"):
        return f"{column_header(text[:-2])} (million)"
    text = _FY_IN_NAME.sub(r"\1-\2", text)
    unit = ""
    for token, words in _HEADER_UNITS:
        m = re.search(rf"(?:^|_){token}(?:_|$)", text)
        if not m:
            continue
        after = text[m.end():]
        before = text[:m.start()]
        if after.startswith("of_") or (not before and after):
            # "% of core spending" reads in place; so does a leading unit
            text = (before + ("_" if before else "") + words.replace(" ", "~") + "_" + after).strip("_")
            if before:
                text = text.replace("_" + words.replace(" ", "~"), ",_" + words.replace(" ", "~"), 1)
        else:
            unit = words
            rest = after.strip("_")
            text = before + ((",_" if rest and before else "_") + rest if rest else "")
        break
    words_out = [_HEADER_WORDS.get(w.rstrip(","), w.rstrip(",")) + ("," if w.endswith(",") else "")
                 for w in text.strip("_").split("_") if w]
    out = " ".join(words_out).replace("~", " ").replace(" ,", ",")
    for phrase, written in _HEADER_PHRASES:
        out = re.sub(rf"\b{phrase}\b", written, out)
    out = out[:1].upper() + out[1:] if out else str(name)
    return f"{out} ({unit})" if unit else out


#: How the reports name each way of paying the one-off cost (``model.spec.FINANCING_OPTIONS``).
FINANCING_NAMES = {"reserves": "reserves", "borrowing": "borrowing", "gain_share": "a private partner's gain share",
                   "grant": "a grant", "revenue": "the revenue budget"}


def financing_name(option: str) -> str:
    """The words for a financing option, as in "under borrowing" or "under a grant".

    Examples
    --------
    >>> financing_name("gain_share"), financing_name("reserves")
    ("a private partner's gain share", 'reserves')
    """
    return FINANCING_NAMES.get(option, option.replace("_", " "))
