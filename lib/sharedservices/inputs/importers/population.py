"""Census 2011 populations for RS authorities, from the ONS table on 2021 boundaries.

The census table (ONS, OGL v3.0) has one row per local authority district on April 2021
boundaries with its exact Census 2011 usual-resident count.  A council gets a population
only where an exact figure exists:

- districts, unitaries, metropolitan districts and London boroughs with their own row,
  matched by ONS code, or by name where only the code changed (a minor boundary change);
- a shire county as the sum over its districts, where each district either has its own row
  or merged after 2011 into a district that lies wholly inside the county (Suffolk,
  Somerset), or as the unitary or unitaries that now cover exactly its area
  (Buckinghamshire; North and West Northamptonshire);
- otherwise none (NaN) and ``population_source`` says why: districts merged after 2011,
  Dorset county (Christchurch went into Bournemouth, Christchurch and Poole) and the
  non-principal bodies.  A split of a merged figure is never invented.

:data:`SUCCESSORS` lists the post-2011 mergers (official reorganisation orders, 2019-2021):
predecessor ONS codes as used by the 2014-15 RS workbook, mapped to the 2021 district.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from sharedservices.errors import DataError

#: 2021 district code -> (2021 name, predecessor ONS codes as in the 2014-15 RS workbook).
SUCCESSORS: dict[str, tuple[str, tuple[str, ...]]] = {
    "E07000244": ("East Suffolk", ("E07000205", "E07000206")),
    "E07000245": ("West Suffolk", ("E07000201", "E07000204")),
    "E07000246": ("Somerset West and Taunton", ("E07000190", "E07000191")),
    "E06000058": ("Bournemouth, Christchurch and Poole", ("E06000028", "E06000029", "E07000048")),
    "E06000059": ("Dorset", ("E07000049", "E07000050", "E07000051", "E07000052", "E07000053")),
    "E06000060": ("Buckinghamshire", ("E07000004", "E07000005", "E07000006", "E07000007")),
    "E06000061": ("North Northamptonshire", ("E07000150", "E07000152", "E07000153", "E07000156")),
    "E06000062": ("West Northamptonshire", ("E07000151", "E07000154", "E07000155")),
}

REQUIRED_COLUMNS = ("lad_code_2021", "lad_name", "census2011_usual_residents")
SOURCE_LABEL = "ONS Census 2011 usual residents (2021 district boundaries)"


def read_census(path: Path) -> pd.DataFrame:
    """Read and check the census population table.

    Returns
    -------
    DataFrame
        ``lad_code_2021``, ``lad_name``, ``county``, ``census2011`` (persons), English
        districts only.

    Raises
    ------
    DataError
        Missing file or column, empty file, a non-integer count, a duplicated code.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: census population file not found (see data/raw/README.md)")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError as exc:
        raise DataError(f"{path.name}: file is empty") from exc
    except Exception as exc:
        raise DataError(f"{path.name}: cannot be read as CSV ({' '.join(str(exc).split())[:120]})") from exc
    for col in REQUIRED_COLUMNS:
        if col not in df.columns:
            raise DataError(f"{path.name}: missing column '{col}' (found: {', '.join(df.columns)})")
    if df.empty:
        raise DataError(f"{path.name}: no data rows")
    counts = pd.to_numeric(df["census2011_usual_residents"], errors="coerce")
    bad = counts.isna() | (counts < 0) | (counts % 1 != 0)
    if bad.any():
        i = int(bad.idxmax())
        raise DataError(
            f"{path.name}: row {i + 2}, column 'census2011_usual_residents': "
            f"{df.loc[i, 'census2011_usual_residents']!r} is not a whole number of persons"
        )
    dup = df["lad_code_2021"].duplicated()
    if dup.any():
        raise DataError(f"{path.name}: district {df.loc[int(dup.idxmax()), 'lad_code_2021']} appears twice")
    out = pd.DataFrame(
        {
            "lad_code_2021": df["lad_code_2021"].str.strip(),
            "lad_name": df["lad_name"].str.strip(),
            "county": df["county"].str.strip() if "county" in df.columns else "",
            "census2011": counts.astype("int64"),
        }
    )
    return out[out["lad_code_2021"].str.startswith("E")].reset_index(drop=True)


def _name_key(name: str) -> str:
    s = name.lower().replace("&", "and")
    s = re.sub(r"\b(ua|council|city of|county of|borough of)\b", " ", s)
    s = re.sub(r"[^a-z]", "", s)
    return s


def assign_populations(councils: list[dict[str, Any]], census: pd.DataFrame) -> None:
    """Set ``population_2011`` and ``population_source`` on each council record (in place).

    Parameters
    ----------
    councils : list of dict
        Records with ``ecode``, ``name``, ``class``, ``ons_code`` and (for shire
        districts) ``county_ecode``.
    census : DataFrame
        From :func:`read_census`.

    Examples
    --------
    >>> import pandas as pd
    >>> census = pd.DataFrame({"lad_code_2021": ["E07000001", "E07000002"],
    ...     "lad_name": ["Alpha", "Beta"], "county": ["Shire", "Shire"],
    ...     "census2011": [100, 50]})
    >>> cs = [{"ecode": "E9921", "name": "Shire", "class": "SC", "ons_code": "E10000001"},
    ...       {"ecode": "E9931", "name": "Alpha", "class": "SD", "ons_code": "E07000001",
    ...        "county_ecode": "E9921"},
    ...       {"ecode": "E9932", "name": "Beta", "class": "SD", "ons_code": "E07000002",
    ...        "county_ecode": "E9921"}]
    >>> assign_populations(cs, census)
    >>> [c["population_2011"] for c in cs]
    [150.0, 100.0, 50.0]
    """
    by_code = {r.lad_code_2021: r for r in census.itertuples(index=False)}
    by_name: dict[str, list[Any]] = {}
    for r in census.itertuples(index=False):
        by_name.setdefault(_name_key(r.lad_name), []).append(r)
    predecessor_of = {p: s for s, (_, preds) in SUCCESSORS.items() for p in preds}
    used: dict[str, str] = {}

    for c in councils:
        c["population_2011"] = math.nan
        if c["class"] == "O":
            c["population_source"] = "none: not a principal council (no resident population of its own)"
            continue
        if c["class"] == "SC":
            continue
        ons = c.get("ons_code") or ""
        if ons in by_code:
            r = by_code[ons]
            c["population_2011"] = float(r.census2011)
            c["population_source"] = f"{SOURCE_LABEL}: own row {r.lad_code_2021}"
        elif ons in predecessor_of:
            succ = predecessor_of[ons]
            c["population_source"] = (
                f"none: merged after 2011 into {SUCCESSORS[succ][0]} ({succ}); "
                "the census table has only the merged total"
            )
        else:
            hits = by_name.get(_name_key(c["name"]), [])
            if len(hits) == 1:
                r = hits[0]
                c["population_2011"] = float(r.census2011)
                c["population_source"] = (
                    f"{SOURCE_LABEL}: own row {r.lad_code_2021}, matched by name "
                    f"(code {ons or 'unknown'} changed after a boundary revision)"
                )
            else:
                c["population_source"] = f"none: no census row matches code {ons or 'unknown'} or the name"
        if not math.isnan(c["population_2011"]):
            code = c["population_source"].split("own row ")[1].split(",")[0]
            if code in used:
                raise DataError(
                    f"census population: district {code} matched twice ({used[code]} and {c['ecode']})"
                )
            used[code] = c["ecode"]

    districts: dict[str, list[dict[str, Any]]] = {}
    for c in councils:
        if c["class"] == "SD" and c.get("county_ecode"):
            districts.setdefault(c["county_ecode"], []).append(c)
    for c in councils:
        if c["class"] != "SC":
            continue
        ds = districts.get(c["ecode"], [])
        if not ds:
            c["population_source"] = "none: no shire districts found for this county"
            continue
        total = 0.0
        successors: set[str] = set()
        own = {d.get("ons_code") for d in ds}
        problem = ""
        for d in ds:
            if not math.isnan(d["population_2011"]):
                total += d["population_2011"]
            elif d.get("ons_code") in predecessor_of:
                successors.add(predecessor_of[d["ons_code"]])
            else:
                problem = f"district {d['name']} has no population"
        for s in sorted(successors):
            outside = [p for p in SUCCESSORS[s][1] if p not in own]
            if outside:
                problem = (
                    f"{SUCCESSORS[s][0]} ({s}) also covers areas outside the county, "
                    "so the county's share is not known exactly"
                )
            elif s not in by_code:
                problem = f"{SUCCESSORS[s][0]} ({s}) has no census row"
            else:
                total += float(by_code[s].census2011)
        if problem:
            c["population_source"] = f"none: {problem}"
            continue
        c["population_2011"] = total
        if successors:
            names = " and ".join(SUCCESSORS[s][0] for s in sorted(successors))
            if all(math.isnan(d["population_2011"]) for d in ds):
                how = f"the unitary {names} covering exactly its area"
            else:
                how = f"sum of its {len(ds)} districts; merged districts taken as {names}, wholly inside the county"
            c["population_source"] = f"{SOURCE_LABEL}: {how}"
        else:
            c["population_source"] = f"{SOURCE_LABEL}: sum of its {len(ds)} districts"
