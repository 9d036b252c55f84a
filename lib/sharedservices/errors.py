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
5      a required outside tool is missing (:class:`ToolMissing`)
130    interrupted (Ctrl-C / SIGINT)
=====  ==========================================================================
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_NOTEBOOK_FAILED = 1
EXIT_INVALID_INPUT = 2
EXIT_LOCKED = 3
EXIT_OUTPUT = 4
EXIT_TOOL_MISSING = 5
EXIT_INTERRUPTED = 130


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
