"""Command line: derive ``data/external/council_geography.csv`` from the three sources.

``python -m sharedservices.inputs.external --mysociety ... --imd ... --census ...`` reads the
processed councils table (:mod:`sharedservices.inputs.data`) and the three published tables,
and writes the external table with :mod:`sharedservices.inputs.importers.geography`.  It
lives beside the importers, not among them, because it reads processed data (the importers
write it; the data rules read the importers' line catalogue).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sharedservices.inputs import data, paths
from sharedservices.inputs.importers import geography, population

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Command line: derive ``data/external/council_geography.csv`` from the three sources."""
    parser = argparse.ArgumentParser(prog="python -m sharedservices.inputs.external")
    parser.add_argument("--mysociety", required=True, type=Path, help="uk_local_authorities.csv")
    parser.add_argument("--imd", required=True, type=Path, help="imd2010_lad21_england.csv")
    parser.add_argument("--census", required=True, type=Path,
                        help="census_population_2011_2021_by_LAD2021_EW.csv (RAW_DIR/population)")
    parser.add_argument("--out", type=Path, default=paths.DATA_DIR / "external" / "council_geography.csv")
    args = parser.parse_args(argv)
    table = geography.derive(data.councils(), geography.read_mysociety(args.mysociety), geography.read_imd(args.imd),
                             population.read_census(args.census))
    geography.write(table, args.out)
    print(f"wrote {args.out} ({len(table)} councils)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
