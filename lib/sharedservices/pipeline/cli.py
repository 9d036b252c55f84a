"""Command line: ``python -m sharedservices build|run|params|data|batch`` (``--help`` everywhere).

Exit codes (see :mod:`sharedservices.errors`): 0 success, 1 a notebook failed, 2 invalid
input before running, 3 another build holds the lock, 4 outputs could not be written,
5 a required outside tool is missing or failed, 6 a report leaked state into a reused kernel
(the batch stopped), 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).
Every error is one line on stderr, ``error: ...``, cut to :data:`MAX_MESSAGE` characters.

SIGTERM is handled like Ctrl-C: the workers and their kernels are stopped, staging files
removed, and a report being published is finished first (never left half-moved).

The ``batch`` subcommand (issue 6) is added by :func:`_add_batch`.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sharedservices.errors import (
    EXIT_INTERRUPTED,
    EXIT_INVALID_INPUT,
    EXIT_TERMINATED,
    InputError,
    NotebookFailed,
    SharedServicesError,
    Terminated,
)

#: Longest error line printed (longer ones keep their start and their end).
MAX_MESSAGE = 1000

if TYPE_CHECKING:
    from sharedservices.pipeline.runner import BuildSummary


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors raised as InputError (exit 2, one line)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise InputError(f"{self.prog}: {message} (see --help)")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer (allowed: 1 or more)") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is out of range (allowed: 1 or more)")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number (allowed: seconds > 0)") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is out of range (allowed: seconds > 0)")
    return value


def _raw_parameters(args: argparse.Namespace) -> dict[str, Any]:
    """Parameters from ``--params-file`` then ``--param NAME=VALUE`` (later wins), unvalidated."""
    from sharedservices.pipeline.config import load_params_file
    from sharedservices.report import params

    raw: dict[str, Any] = {}
    if args.params_file:
        raw.update(load_params_file(Path(args.params_file)))
    for name, value in args.param or []:
        raw[name] = params.parse_cli_value(value, name)
    return raw


def _print_counts(summary: BuildSummary) -> None:
    """One stderr line: how many reports were built, skipped and failed."""
    counts = {s: len(summary.by_status(s)) for s in ("built", "skipped", "failed")}
    line = ", ".join(f"{n} {s}" for s, n in counts.items())
    if summary.by_status("printed"):
        line += f", {len(summary.by_status('printed'))} current but for their PDF"
    pdfs, seconds = summary.pdfs
    if pdfs:
        line += f"; {pdfs} PDF{'' if pdfs == 1 else 's'} printed in {seconds:.1f} s"
    print(line, file=sys.stderr)


def _cmd_build(args: argparse.Namespace) -> int:
    from sharedservices.pipeline.runner import build

    summary = build(args.root, force=args.force, jobs=args.jobs, only=args.only,
                    timeout=args.timeout, wait=args.wait, pdf=args.pdf)
    _print_counts(summary)
    if summary.failed:
        raise NotebookFailed(f"{len(summary.failed)} report(s) failed: "
                             f"{', '.join(summary.failed)} (see reports/_failed/)")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from sharedservices.pipeline.runner import run_adhoc

    raw = _raw_parameters(args)
    path = run_adhoc(Path(args.notebook), raw, out_html=Path(args.output) if args.output else None,
                     root=args.root, timeout=args.timeout, wait=args.wait)
    print(path)
    return 0


def _cmd_params(args: argparse.Namespace) -> int:
    from sharedservices.report import params

    specs = params.describe(args.notebook)
    if args.json:
        print(json.dumps([s.as_json() for s in specs], indent=2))
        return 0
    if not specs:
        print(f"{Path(args.notebook).stem}: no parameters")
    for s in specs:
        print(f"{s.name} ({s.type}, default {json.dumps(s.default)}): {s.help}")
        print(f"    allowed: {s.allowed()}")
    return 0


def _cmd_data(args: argparse.Namespace) -> int:
    from sharedservices.inputs import paths

    try:
        from sharedservices.inputs.importers import run_import
    except ImportError as exc:
        raise SharedServicesError(f"data: the importer is not available ({exc})") from None
    run_import(Path(args.raw_dir) if args.raw_dir else paths.raw_dir(), args.strict)
    return 0


def _cmd_batch(args: argparse.Namespace) -> int:
    from sharedservices.pipeline.batch import batch, batch_dir

    raw = _raw_parameters(args)
    summary = batch(Path(args.notebook), args.councils, raw, root=args.root, tag=args.tag,
                    scheduler=args.scheduler, jobs=args.jobs, force=args.force,
                    timeout=args.timeout, wait=args.wait, figure_formats=args.figure_formats)
    _print_counts(summary)
    if summary.failed:
        where = batch_dir(Path("reports"), args.tag) / "_failed"
        raise NotebookFailed(f"{len(summary.failed)} council report(s) failed: "
                             f"{', '.join(sorted(summary.failed))} (see {where}/)")
    return 0


def _add_batch(sub: argparse._SubParsersAction) -> None:
    """The ``batch`` subcommand (issue 6): one report per council."""
    ba = sub.add_parser(
        "batch", help="one report per English principal council",
        description="Run NOTEBOOK once per selected council and publish "
                    "reports/councils[/TAG]/CODE.html (RS code), CODE/, CODE.json and an "
                    "index.html; every code is validated before anything runs, only "
                    "councils whose inputs changed are rebuilt, and one council failing does "
                    "not stop the others (exit 1 at the end).")
    ba.add_argument("notebook", metavar="NOTEBOOK", help="notebook with a 'council' parameter")
    ba.add_argument("--councils", required=True, metavar="all|CLASS|NAME-OR-CODE,...",
                    help="all principal councils, a class (SC, SD, UA, MD, L) or "
                         "comma-separated council names (Bristol, case ignored; one council "
                         "each) or RS or ONS codes")
    ba.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"),
                    help="set a parameter for every council (codes such as E0101 stay text; "
                         "numbers, True/False and None are parsed)")
    ba.add_argument("-f", "--params-file", metavar="PARAMS.yaml",
                    help="YAML mapping of parameters (-p values override it)")
    ba.add_argument("--tag", metavar="NAME",
                    help="publish under reports/councils/NAME/ (scenarios side by side)")
    ba.add_argument("--scheduler", metavar="ADDRESS",
                    help="run on a Dask distributed cluster, e.g. tcp://host:8786")
    ba.add_argument("-j", "--jobs", type=_positive_int, default=None, metavar="N",
                    help="notebooks run at once locally (default: number of CPUs)")
    ba.add_argument("--force", action="store_true", help="rebuild even unchanged reports")
    ba.add_argument("--timeout", type=_positive_float, default=600.0, metavar="SECONDS",
                   help="per-council notebook time limit (default: 600)")
    ba.add_argument("--figure-formats", default="svg", metavar="svg|png|png,svg",
                    help="formats figures are rendered and exported in (default: svg, which the "
                         "report embeds; png,svg as the published set)")
    ba.add_argument("--wait", action="store_true",
                    help="wait for another build to finish instead of exiting with code 3")
    ba.set_defaults(func=_cmd_batch)


def make_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and documentation)."""
    p = _Parser(prog="python -m sharedservices",
                description="Build and run the sharedservices reports. Exit codes: 0 ok, "
                            "1 notebook failed, 2 invalid input, 3 build lock held, "
                            "4 outputs not writable, 5 tool missing or failed, 6 state leaked between "
                            "reports, 130 interrupted, "
                            "143 terminated.")
    p.add_argument("--root", type=Path, default=None,
                   help="project root (default: the repository holding the package)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    b = sub.add_parser("build", help="build the published reports in reports.yaml",
                       description="Execute each report declared in reports.yaml and publish "
                                   "reports/NAME.html, NAME/, NAME.json (NAME.pdf with --pdf) "
                                   "and index.html. Only reports whose inputs changed are "
                                   "rebuilt. Then print which published headline values "
                                   "changed, recorded in reports/CHANGES.md.")
    b.add_argument("--force", action="store_true", help="rebuild even unchanged reports")
    b.add_argument("-j", "--jobs", type=_positive_int, default=None, metavar="N",
                   help="notebooks run at once (default: number of CPUs)")
    b.add_argument("--only", nargs="+", metavar="NAME", help="build only these reports")
    b.add_argument("--timeout", type=_positive_float, default=600.0, metavar="SECONDS",
                   help="whole-notebook time limit (default: 600)")
    b.add_argument("--wait", action="store_true",
                   help="wait for another build to finish instead of exiting with code 3")
    b.add_argument("--pdf", action="store_true",
                   help="also print each report to reports/NAME.pdf (A4) with Debian's "
                        "chromium; a current report only gets its PDF (exit 5 if Chromium is "
                        "missing or fails; without --pdf a rebuilt report loses its old PDF)")
    b.set_defaults(func=_cmd_build)

    r = sub.add_parser("run", help="one ad-hoc run of a notebook with parameters",
                       description="Validate and run one notebook; writes the report to "
                                   "reports/adhoc/NN-WORD[-COUNCIL][-HASH].html (the notebook's "
                                   "number and first word, the council's name, a hash of the "
                                   "other parameters set away from their defaults) unless -o "
                                   "is given.")
    r.add_argument("notebook", metavar="NOTEBOOK", help="path to the .ipynb file")
    r.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   help="set a parameter (codes such as E0101 stay text; numbers, True/False "
                        "and None are parsed; a council may be given by name: -p council "
                        "Bristol)")
    r.add_argument("-f", "--params-file", metavar="PARAMS.yaml",
                   help="YAML mapping of parameters (-p values override it)")
    r.add_argument("-o", "--output", metavar="OUT.html", help="where to write the report")
    r.add_argument("--timeout", type=_positive_float, default=600.0, metavar="SECONDS",
                   help="whole-notebook time limit (default: 600)")
    r.add_argument("--wait", action="store_true",
                   help="when writing under reports/, wait for a build holding its lock "
                        "instead of exiting with code 3")
    r.set_defaults(func=_cmd_run)

    pa = sub.add_parser("params", help="list a notebook's parameters",
                        description="Show each parameter's type, default, allowed values and help.")
    pa.add_argument("notebook", metavar="NOTEBOOK", help="notebook path or name")
    pa.add_argument("--json", action="store_true",
                    help="print a JSON list of {name, type, default, help, minimum?, "
                         "maximum?, choices?}")
    pa.set_defaults(func=_cmd_params)

    d = sub.add_parser("data", help="rebuild data/processed from the raw workbooks",
                       description="Run the importer over the official workbooks.")
    d.add_argument("--raw-dir", metavar="DIR", help="directory of raw workbooks (default: $RAW_DIR)")
    d.add_argument("--strict", action="store_true", help="treat warnings as errors")
    d.set_defaults(func=_cmd_data)

    _add_batch(sub)
    return p


def one_line(message: str, limit: int = MAX_MESSAGE) -> str:
    """The message on one line, at most ``limit`` characters (start and end kept).

    Examples
    --------
    >>> one_line("a\\n  b")
    'a b'
    >>> len(one_line("x" * 5000))
    1000
    """
    msg = " ".join(str(message).split())
    if len(msg) <= limit:
        return msg
    tail = limit // 3
    return f"{msg[: limit - tail - 3]} … {msg[-tail:]}"


def _on_signal(signum: int, frame: object) -> None:
    """SIGINT and SIGTERM: unwind (workers stopped, staging removed), after any publish."""
    from sharedservices.pipeline.publish import interrupt  # imported when installed

    interrupt(Terminated() if signum == signal.SIGTERM else KeyboardInterrupt())


def _handle_signals() -> dict[int, object]:
    """Install :func:`_on_signal` (main thread only); return the handlers it replaced."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    import sharedservices.pipeline.publish  # noqa: F401 - not imported inside a signal handler

    old = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        old[sig] = signal.getsignal(sig)
        signal.signal(sig, _on_signal)
    return old


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    old = _handle_signals()
    try:
        try:
            args = make_parser().parse_args(argv)
        except SystemExit as exc:  # --help
            return int(exc.code or 0)
        return int(args.func(args) or 0)
    except SharedServicesError as exc:
        print(f"error: {one_line(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except Terminated:
        print("error: terminated (SIGTERM); nothing half-published, workers stopped",
              file=sys.stderr)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]


__all__ = ["EXIT_INVALID_INPUT", "main", "make_parser", "one_line"]
