"""The progress bar of a batch: councils done and failed, and the time left (tqdm).

The bar is drawn on stderr only when both stdout and stderr are terminals; in CI, a pipe or
a log file it draws nothing, and only the one line per council (on stdout) is written.
Those lines go above the bar, which is redrawn under them.

Examples
--------
>>> import io
>>> out, err = io.StringIO(), io.StringIO()
>>> with Progress(2, out, err) as bar:
...     bar.write("built    E5014")
...     bar.update()
...     bar.update(failed=True)
>>> out.getvalue(), err.getvalue(), bar.done, bar.failed
('built    E5014\\n', '', 2, 1)
"""

from __future__ import annotations

from typing import Any, TextIO

__all__ = ["Progress", "is_terminal"]


def is_terminal(stream: Any) -> bool:
    """Whether ``stream`` is an interactive terminal (False for pipes, files, StringIO)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


class Progress:
    """A tqdm bar counting ``total`` items: done, failed (in the postfix), rate and time left.

    Parameters
    ----------
    total : int
        Items to do.
    out, err : text streams
        Where result lines go (``out``) and where the bar is drawn (``err``).
    unit : str
        What is counted ("council", "report").
    enabled : bool, optional
        Force the bar on or off (default: on when both streams are terminals).
    """

    def __init__(self, total: int, out: TextIO, err: TextIO, unit: str = "council",
                 enabled: bool | None = None) -> None:
        self.out = out
        self.done = 0
        self.failed = 0
        self.enabled = (is_terminal(out) and is_terminal(err)) if enabled is None else enabled
        self._bar: Any = None
        if self.enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=total, file=err, unit=unit, leave=False, dynamic_ncols=True,
                             bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} done{postfix} "
                                        "[{elapsed}<{remaining}, {rate_fmt}]")
            self._bar.set_postfix_str("0 failed", refresh=False)

    def write(self, line: str) -> None:
        """Write one result line to ``out`` (above the bar)."""
        if self._bar is not None:
            self._bar.clear()
        print(line, file=self.out, flush=True)
        if self._bar is not None:
            self._bar.refresh()

    def update(self, failed: bool = False) -> None:
        """Count one item finished (and failed, if it did)."""
        self.done += 1
        self.failed += bool(failed)
        if self._bar is not None:
            self._bar.set_postfix_str(f"{self.failed} failed", refresh=False)
            self._bar.update(1)

    def close(self) -> None:
        """Remove the bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
