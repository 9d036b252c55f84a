"""Errors that end a command, each with the exit code the README documents.

Every message is one line that names the thing, the value given and what is allowed, e.g.
``council: 'E9999' is not an English principal council (allowed: an RS code such as E0101
or an ONS code such as E06000022; see data/processed/councils.csv)``.

=====  ==========================================================================
code   meaning
=====  ==========================================================================
0      success
1      a notebook failed while running (:class:`NotebookFailed`)
2      invalid input found before running (:class:`InputError`, :class:`DataError`)
3      another build holds the lock (:class:`LockHeld`)
4      outputs could not be written (:class:`OutputError`)
5      a required outside tool is missing or failed (:class:`ToolMissing`, :class:`ToolFailed`)
6      a report changed the library's module-level state in a reused kernel (:class:`StateLeak`)
130    interrupted (Ctrl-C / SIGINT)
143    terminated (SIGTERM, e.g. ``kill`` or a job scheduler)
=====  ==========================================================================

Values quoted in a message go through :func:`show`, which cuts them to a readable length
without first building their whole text (a value can be a 100 kB string or a 5,000-digit
integer).
"""

from __future__ import annotations

import reprlib
from typing import Any

EXIT_OK = 0
EXIT_NOTEBOOK_FAILED = 1
EXIT_INVALID_INPUT = 2
EXIT_LOCKED = 3
EXIT_OUTPUT = 4
EXIT_TOOL_MISSING = 5
EXIT_STATE_LEAK = 6
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


class SharedServicesError(Exception):
    """Base class: an error that ends a command with :attr:`exit_code`."""

    exit_code: int = EXIT_NOTEBOOK_FAILED


class InputError(SharedServicesError, ValueError):
    """Invalid input found before anything ran: command line, parameters, files (exit 2)."""

    exit_code = EXIT_INVALID_INPUT


class DataError(InputError):
    """A processed table, raw workbook or assumptions file failed validation (exit 2).

    The message names the file (and the row, column or key where known).
    """


class NotebookFailed(SharedServicesError):
    """A notebook raised while running (exit 1)."""

    exit_code = EXIT_NOTEBOOK_FAILED


class LockHeld(SharedServicesError):
    """Another build holds the reports lock (exit 3)."""

    exit_code = EXIT_LOCKED


class OutputError(SharedServicesError, OSError):
    """Outputs could not be written: disk full, permissions, a path that is not a directory (exit 4)."""

    exit_code = EXIT_OUTPUT


class ToolMissing(SharedServicesError):
    """A required outside tool (for example a browser) is missing (exit 5)."""

    exit_code = EXIT_TOOL_MISSING


class ToolFailed(SharedServicesError):
    """A required outside tool is there but failed: Chromium did not start, crashed, timed
    out or did not print a PDF (exit 5, as :class:`ToolMissing`)."""

    exit_code = EXIT_TOOL_MISSING


class StateLeak(SharedServicesError):
    """A report changed a module-level value of ``sharedservices`` in a kernel that runs report
    after report, so the next report would not start as in a fresh kernel (exit 6).

    The message names the report, the module and the name; the batch stops.
    """

    exit_code = EXIT_STATE_LEAK


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C (workers and kernels stopped, staging removed; exit 143)."""


#: Longest text of a value quoted in an error message.
SHOW_LIMIT = 60


def _repr_limited() -> reprlib.Repr:
    r = reprlib.Repr()
    r.maxlevel, r.maxlist, r.maxtuple, r.maxdict, r.maxset = 3, 6, 6, 6, 6
    r.maxstring, r.maxother, r.maxlong = 40, 40, 40
    return r


_REPR = _repr_limited()


def show(value: Any, limit: int = SHOW_LIMIT) -> str:
    """A value as quoted in an error message: its ``repr``, cut to about ``limit`` characters.

    Never builds the full text of a huge value first (nested containers are cut level by
    level; an integer too long to print says how many digits it has).

    Examples
    --------
    >>> show("E2532"), show(12), show(0.5), show([10, 20])
    ("'E2532'", '12', '0.5', '[10, 20]')
    >>> show("x" * 100_000)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' (100000 characters)"
    >>> show(int("1" * 4000))
    '111111111111…111111111111 (4000 digits)'
    >>> show([[1] * 1000] * 1000)
    '[[1, 1, 1, 1, 1, 1, ...], [1, 1, 1, 1, 1, 1, ...], [1, 1, 1, 1, 1, 1, ...], [1, 1, 1, 1, 1, 1, ...], [1, 1, 1, 1, 1, 1, ...], [1, 1, 1, 1, 1, 1, ...], ...]'
    """
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        return f"{value[:limit - 8]!r}"[:-1] + f"…' ({len(value)} characters)"
    if isinstance(value, int) and not isinstance(value, bool):
        bits = abs(value).bit_length()
        if bits > 14_000:  # str() would refuse (over 4300 digits)
            return f"an integer of about {int(bits * 0.30103) + 1} digits"
        text = str(value)
        return text if len(text) <= limit else f"{text[:12]}…{text[-12:]} ({len(text.lstrip('-'))} digits)"
    if isinstance(value, float | bool) or value is None:
        return repr(value)
    return _REPR.repr(value)


def bad_parameter(name: Any, value: Any, problem: str, allowed: str) -> InputError:
    """The one wording of a refused parameter value, for the schemas and the model alike.

    Examples
    --------
    >>> str(bad_parameter("horizon", 2, "is out of range", "integer 4..60"))
    "parameter 'horizon': 2 is out of range (allowed: integer 4..60)"
    """
    return InputError(f"parameter {show(name)}: {show(value)} {problem} (allowed: {allowed})")


def cut(text: str, limit: int = 200) -> str:
    """``text`` cut to ``limit`` characters (with an ellipsis), for a name or path in a message.

    Examples
    --------
    >>> cut("short")
    'short'
    >>> cut("a" * 300, 10)
    'aaaaaaaaa…'
    """
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
