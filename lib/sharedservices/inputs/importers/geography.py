"""Council areas, centres and deprivation, derived from two public repositories.

Writes ``data/external/council_geography.csv``: one row for **every** principal council
of ``councils.csv`` (none dropped), with

* ``area_km2`` (km²) and the centre of the council's area, ``easting_m`` /
  ``northing_m`` (British National Grid, metres) and ``latitude`` / ``longitude``
  (degrees), from mySociety's *UK local authority names and codes*
  (``data/uk_local_authorities.csv``, CC BY 4.0), joined on the RS ``ecode`` column the
  source carries; its lat/long columns were swapped before commit 9738c7b, so
  :func:`read_mysociety` refuses a copy whose latitudes are not those of Great Britain;
* ``imd2010_score``: the Index of Multiple Deprivation 2010 average score (the
  population-weighted mean of the LSOA scores; higher = more deprived), re-aggregated by
  the humaniverse/IMD package (MIT; data OGL v3.0) to April 2021 districts, joined on the
  ONS code.  Shire counties get the mean of their districts' scores weighted by the
  Census 2011 usual residents of each district (districts merged after 2011 wholly inside
  the county, as in Suffolk and Somerset, count through their merged row), which the
  official ID2010 did not publish for counties.

Shire counties are built from their districts: the area is the sum of the districts'
areas and the centre their area-weighted mean (exact for area centroids; the source does
not say how its centres are defined).  The source's own county rows are not used for the
centre: their areas agree with the sums of the districts to 1 km², but their centres are
misplaced by up to 190 km (Lancashire's lies in Northamptonshire, Suffolk's in
Cambridgeshire).  Districts merged after 2011 wholly inside a county (Suffolk, Somerset)
count through their merged 2021 district, and a county abolished since (Buckinghamshire,
Northamptonshire) through the unitaries that cover exactly its area.

Where a value cannot be had it is left blank and ``geography_basis`` or
``deprivation_basis`` says why (starting ``missing:``): the source has no area or centre
for the districts merged after 2011, nor for Bournemouth and Poole, and Dorset County's
districts went partly into Bournemouth, Christchurch and Poole.  None of these councils
has an exact 2011 population either, so none enters a scale fit or a partner search.
Run::

    python -m sharedservices.inputs.importers.geography --mysociety LA.csv --imd IMD.csv \\
        --census RAW_DIR/population/census_population_2011_2021_by_LAD2021_EW.csv

See ``data/external/README.md`` for the exact source commits and sha256.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from sharedservices.errors import DataError
from sharedservices.inputs.importers.population import SUCCESSORS

__all__ = ["COLUMNS", "derive", "read_imd", "read_mysociety", "write"]

#: Columns of ``council_geography.csv``, in order.
COLUMNS: tuple[str, ...] = (
    "ecode", "ons_code", "name", "class", "area_km2", "easting_m", "northing_m", "latitude",
    "longitude", "geography_basis", "imd2010_score", "deprivation_basis",
)
_MYSOCIETY_COLUMNS = ("gss-code", "ecode", "nation", "official-name", "area", "x", "y", "lat", "long")
_IMD_COLUMNS = ("ltla21_code", "Score")

def _read_csv(path: Path, what: str) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: {what} file not found (allowed: see data/external/README.md)")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path.name}: file is empty") from None
    except pd.errors.ParserError as exc:
        raise DataError(f"{path.name}: not a valid CSV ({' '.join(str(exc).split())[:100]})") from None


def read_mysociety(path: Path) -> pd.DataFrame:
    """Read mySociety's ``uk_local_authorities.csv``: English rows, numbers parsed.

    Returns
    -------
    DataFrame
        ``gss_code, ecode, official_name, area_km2, easting_m, northing_m, latitude,
        longitude`` (blank -> NaN).

    Raises
    ------
    DataError
        A missing column, a value that is not a number, or latitudes outside Great Britain
        (49.8 to 61 degrees: the lat/long-swapped copies before commit 9738c7b).
    """
    raw = _read_csv(path, "mySociety local authority")
    missing = [c for c in _MYSOCIETY_COLUMNS if c not in raw.columns]
    if missing:
        raise DataError(f"{Path(path).name}: missing column '{missing[0]}' (expected: {', '.join(_MYSOCIETY_COLUMNS)})")
    eng = raw[raw["nation"] == "England"]
    out = pd.DataFrame({"gss_code": eng["gss-code"].str.strip(), "ecode": eng["ecode"].str.strip(),
                        "official_name": eng["official-name"]})
    for src, col in (("area", "area_km2"), ("x", "easting_m"), ("y", "northing_m"),
                     ("lat", "latitude"), ("long", "longitude")):
        text = eng[src].str.strip()
        num = pd.to_numeric(text.where(text != "", None), errors="coerce")
        bad = num.isna() & (text != "")
        if bad.any():
            i = bad.to_numpy().nonzero()[0][0]
            raise DataError(f"{Path(path).name}: column '{src}': {text.iloc[i]!r} is not a number")
        out[col] = num.astype("float64").to_numpy()
    lat = out["latitude"].dropna()
    if len(lat) and not lat.between(49.8, 61.0).all():
        raise DataError(f"{Path(path).name}: latitudes {lat.min():.2f} to {lat.max():.2f} are not those of "
                        "England (allowed: 49.8 to 61; copies before commit 9738c7b have lat and long swapped)")
    return out.reset_index(drop=True)


def read_imd(path: Path) -> pd.DataFrame:
    """Read the IMD 2010 scores by 2021 district (``ltla21_code, Score``).

    Returns
    -------
    DataFrame
        ``lad_code_2021, imd2010_score`` (0 to 100).
    """
    raw = _read_csv(path, "IMD 2010 by district")
    missing = [c for c in _IMD_COLUMNS if c not in raw.columns]
    if missing:
        raise DataError(f"{Path(path).name}: missing column '{missing[0]}' (expected: {', '.join(_IMD_COLUMNS)})")
    score = pd.to_numeric(raw["Score"], errors="coerce")
    bad = score.isna() | ~score.between(0, 100)
    if bad.any():
        i = bad.to_numpy().nonzero()[0][0]
        raise DataError(f"{Path(path).name}: row {i + 2}, column 'Score': {raw['Score'].iloc[i]!r} "
                        "is not a score (allowed: a number 0 to 100)")
    if raw["ltla21_code"].duplicated().any():
        raise DataError(f"{Path(path).name}: district {raw.loc[raw['ltla21_code'].duplicated(), 'ltla21_code'].iloc[0]!r} appears twice")
    return pd.DataFrame({"lad_code_2021": raw["ltla21_code"].str.strip(), "imd2010_score": score.astype("float64")})


def _place(ecode: str, own: pd.DataFrame, by_gss: pd.DataFrame) -> tuple[list[float], str]:
    """Area, centre and basis of one council."""
    cols = list(_PLACE)
    if ecode in own.index and not own.loc[ecode, cols].isna().any():
        return own.loc[ecode, cols].astype(float).tolist(), f"own row {own.loc[ecode, 'gss_code']}"
    why = "abolished 2019-2021; the source has no area or centre for it" if ecode in own.index \
        else "no row with this ecode in the source"
    return [math.nan] * 5, f"missing: {why}"


def derive(councils: pd.DataFrame, mysociety: pd.DataFrame, imd: pd.DataFrame,
           census: pd.DataFrame) -> pd.DataFrame:
    """The geography table, one row per principal council (pure: no I/O).

    Parameters
    ----------
    councils : DataFrame
        ``councils.csv`` (``ecode, ons_code, name, class, county, principal``).
    mysociety : DataFrame
        :func:`read_mysociety` output.
    imd : DataFrame
        :func:`read_imd` output.
    census : DataFrame
        :func:`sharedservices.inputs.importers.population.read_census` output (weights for the
        counties' scores, persons).

    Returns
    -------
    DataFrame
        :data:`COLUMNS`, sorted by ``ecode``.

    Notes
    -----
    A shire county's area is the sum of its districts' areas and its centre their
    area-weighted mean (the source's own county centres are wrong: see the module
    docstring); its score is the mean of its districts' scores weighted by their Census
    2011 residents.

    Examples
    --------
    A county of two districts, 100 and 300 residents, 10 and 20 km², scores 10 and 30:

    >>> councils = pd.DataFrame({"ecode": ["E9921", "E9931", "E9932"],
    ...     "ons_code": ["E10000001", "E07000001", "E07000002"], "name": ["Shire CC", "A", "B"],
    ...     "class": ["SC", "SD", "SD"], "county": [None, "Shire CC", "Shire CC"],
    ...     "principal": True})
    >>> mys = pd.DataFrame({"gss_code": ["E10000001", "E07000001", "E07000002"],
    ...     "ecode": ["E9921", "E9931", "E9932"], "official_name": ["S", "A", "B"],
    ...     "area_km2": [30.0, 10.0, 20.0], "easting_m": [9e5, 4e5, 5.5e5],
    ...     "northing_m": [2e5, 2e5, 2e5], "latitude": [51.0, 51.0, 51.0],
    ...     "longitude": [-1.0, -1.5, -0.5]})
    >>> imd = pd.DataFrame({"lad_code_2021": ["E07000001", "E07000002"], "imd2010_score": [10.0, 30.0]})
    >>> census = pd.DataFrame({"lad_code_2021": ["E07000001", "E07000002"], "lad_name": ["A", "B"],
    ...     "county": "Shire", "census2011": [100, 300]})
    >>> derive(councils, mys, imd, census)[["name", "area_km2", "easting_m", "imd2010_score"]]
           name  area_km2  easting_m  imd2010_score
    0  Shire CC      30.0   500000.0           25.0
    1         A      10.0   400000.0           10.0
    2         B      20.0   550000.0           30.0
    """
    principal = councils[councils["principal"].astype(bool)].rename(columns={"class": "council_class"})
    own = mysociety[mysociety["ecode"].fillna("") != ""]
    if own["ecode"].duplicated().any():
        raise DataError(f"mySociety table: ecode {own.loc[own['ecode'].duplicated(), 'ecode'].iloc[0]!r} appears twice")
    own = own.set_index("ecode")
    by_gss = mysociety.drop_duplicates("gss_code").set_index("gss_code")
    score = imd.set_index("lad_code_2021")["imd2010_score"]
    weight = census.set_index("lad_code_2021")["census2011"].astype("float64")

    rows = []
    for c in principal.itertuples(index=False):
        ons = c.ons_code if isinstance(c.ons_code, str) else ""
        if c.council_class == "SC":
            parts, problem = _county_districts(c.name, principal)
            place, basis = _county_place(parts, problem, own, by_gss)
            dep, dep_basis = _county_score(parts, problem, score, weight)
        else:
            place, basis = _place(c.ecode, own, by_gss)
            if ons in score.index:
                dep, dep_basis = float(score[ons]), f"own 2021 district {ons}"
            elif ons in _PREDECESSOR_OF:
                succ = _PREDECESSOR_OF[ons]
                dep, dep_basis = math.nan, (f"missing: merged after 2011 into {SUCCESSORS[succ][0]} ({succ}); "
                                            "the source has only the merged district")
            else:
                dep, dep_basis = math.nan, f"missing: no 2021 district with code {ons or 'unknown'}"
        rows.append({"ecode": c.ecode, "ons_code": ons, "name": c.name, "class": c.council_class,
                     **dict(zip(_PLACE, place, strict=True)), "geography_basis": basis,
                     "imd2010_score": dep, "deprivation_basis": dep_basis})
    return pd.DataFrame(rows, columns=list(COLUMNS)).sort_values("ecode", kind="stable").reset_index(drop=True)


_PLACE = ("area_km2", "easting_m", "northing_m", "latitude", "longitude")
_PREDECESSOR_OF: dict[str, str] = {p: s for s, (_, preds) in SUCCESSORS.items() for p in preds}


def _county_districts(name: str, principal: pd.DataFrame) -> tuple[list[tuple[str, str]], str]:
    """A county's 2021 districts as ``(ecode or '', ONS/GSS code)``, or a problem."""
    districts = principal[(principal["council_class"] == "SD") & (principal["county"] == name)]
    if districts.empty:
        return [], "no shire districts found for this county"
    own_codes = set(districts["ons_code"].fillna(""))
    parts: list[tuple[str, str]] = []
    for ecode, ons in zip(districts["ecode"], districts["ons_code"].fillna(""), strict=True):
        succ = _PREDECESSOR_OF.get(ons)
        if succ is None:
            parts.append((ecode, ons))
            continue
        outside = [p for p in SUCCESSORS[succ][1] if p not in own_codes]
        if outside:
            return [], (f"{SUCCESSORS[succ][0]} ({succ}) also covers areas outside the county, so the "
                        "county's part is not known")
        if ("", succ) not in parts:
            parts.append(("", succ))
    return parts, ""


def _county_place(parts: list[tuple[str, str]], problem: str, own: pd.DataFrame,
                  by_gss: pd.DataFrame) -> tuple[list[float], str]:
    """Area (sum) and centre (area-weighted mean) of a county's districts."""
    if problem:
        return [math.nan] * 5, f"missing: {problem}"
    cols = list(_PLACE)
    rows = []
    for ecode, gss in parts:
        row = own.loc[ecode, cols] if ecode and ecode in own.index else (
            by_gss.loc[gss, cols] if gss in by_gss.index else None)
        if row is None or row.isna().any():
            return [math.nan] * 5, f"missing: district {gss or ecode} has no area or centre in the source"
        rows.append(row.astype(float).to_numpy())
    table = np.vstack(rows)
    area = float(table[:, 0].sum())
    centre = [float(np.sum(table[:, 0] * table[:, k]) / area) for k in range(1, 5)]
    merged = sum(1 for e, _ in parts if not e)
    extra = f" ({merged} standing for districts merged after 2011)" if merged else ""
    return [area, *centre], (f"county: {len(parts)} 2021 district(s){extra}; areas added, centres "
                             "area-weighted")


def _county_score(parts: list[tuple[str, str]], problem: str, score: pd.Series,
                  weight: pd.Series) -> tuple[float, str]:
    """Census-weighted mean IMD score of a county's 2021 districts, and its basis."""
    if problem:
        return math.nan, f"missing: {problem}"
    codes = [gss for _, gss in parts]
    absent = [c for c in codes if c not in score.index or c not in weight.index]
    if absent:
        return math.nan, f"missing: district {absent[0]} has no 2021 score or census count"
    w = weight.reindex(codes).to_numpy()
    s = score.reindex(codes).to_numpy()
    return float(np.sum(w * s) / np.sum(w)), (
        f"county: mean of its {len(codes)} 2021 districts weighted by Census 2011 residents")


def write(table: pd.DataFrame, path: Path) -> None:
    """Write the table as CSV (numbers with up to 10 significant digits, LF line ends)."""
    out = table.copy()
    for col in ("area_km2", "easting_m", "northing_m", "latitude", "longitude", "imd2010_score"):
        out[col] = [("" if not np.isfinite(v) else f"{v:.10g}") for v in out[col].astype("float64")]
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False, lineterminator="\n")
