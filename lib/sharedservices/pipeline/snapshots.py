"""Regression snapshots of every published report's headline numbers.

``python -m sharedservices.pipeline.snapshots --update`` (``make update-snapshots``) recomputes, from
the model functions and each ``reports.yaml`` entry's parameters, the headline values of
every published report that has a registered headline function, and writes them to
``tests/snapshots/headlines.yaml``.  ``tests/test_snapshots.py`` recomputes them and
compares within the stored tolerance.  Review the diff before committing: a changed
headline is a changed published number.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

import yaml

from sharedservices.errors import SharedServicesError
from sharedservices.inputs import paths
from sharedservices.pipeline.config import load_reports
from sharedservices.report import findings

SNAPSHOT_FILE = paths.ROOT / "tests" / "snapshots" / "headlines.yaml"
#: Relative and absolute tolerance of the comparison (model outputs are deterministic and
#: seeded; the tolerance only absorbs floating-point differences across platforms).
TOLERANCE = {"rel": 1e-6, "abs": 1e-9}

HEADER = """\
# Regression snapshots of the headline numbers of every published report.
# MODEL OUTPUTS, not external estimates: what sharedservices computes from the cited
# assumptions and the processed data with each report's parameters in reports.yaml.
# Regenerate with `make update-snapshots` and review the diff: a change here is a change
# to a published number.
"""


def compute(reports_yaml: Path = paths.REPORTS_YAML) -> dict[str, dict[str, Any]]:
    """Headline values of every published report that has a headline function."""
    funcs = findings.registered()
    out: dict[str, dict[str, Any]] = {}
    for report in load_reports(reports_yaml):
        stem = Path(report.notebook).stem
        if stem in funcs:
            # report.parameters are validated, with defaults filled in
            out[report.name] = {
                "notebook": stem,
                "headlines": findings.headlines(stem, report.parameters),
            }
    return out


def diff(stored: dict[str, Any], computed: dict[str, dict[str, Any]]) -> list[str]:
    """Differences between stored snapshots and freshly computed headlines, one line each.

    Numbers compare within ``stored["tolerance"]``; anything else compares equal or not.
    Reports missing from either side are listed too.
    """
    tol = stored.get("tolerance", TOLERANCE)
    was_all: dict[str, Any] = stored.get("reports", {})
    lines = [f"{n}: no snapshot (run make update-snapshots)" for n in sorted(set(computed) - set(was_all))]
    lines += [f"{n}: snapshot of a report no longer published" for n in sorted(set(was_all) - set(computed))]
    for name in sorted(set(was_all) & set(computed)):
        was, now = was_all[name]["headlines"], computed[name]["headlines"]
        if set(now) != set(was):
            lines.append(f"{name}: headline names changed {sorted(set(now) ^ set(was))}")
            continue
        for key, old in was.items():
            new = now[key]
            numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (old, new))
            same = (math.isclose(new, old, rel_tol=tol["rel"], abs_tol=tol["abs"])
                    if numbers else new == old)
            if not same:
                lines.append(f"{name}.{key}: {old!r} -> {new!r}")
    return lines


def write(snapshots: dict[str, dict[str, Any]], path: Path = SNAPSHOT_FILE) -> None:
    """Write ``snapshots`` with the tolerance, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.safe_dump(
        {"tolerance": TOLERANCE, "reports": snapshots}, sort_keys=True, allow_unicode=True
    )
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(HEADER + body, encoding="utf-8")
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sharedservices.pipeline.snapshots", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--update", action="store_true", help="rewrite the snapshot file")
    args = parser.parse_args(argv)
    try:
        snaps = compute()
    except SharedServicesError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    if args.update:
        write(snaps)
        print(f"wrote {len(snaps)} report(s) to {SNAPSHOT_FILE.relative_to(paths.ROOT)}")
    else:
        print(yaml.safe_dump(snaps, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
