"""Print published reports to PDF with Debian's chromium (``build --pdf``, ``make pdf``).

One headless Chromium serves a whole build.  It is driven over the DevTools protocol on a
pipe (``--remote-debugging-pipe``: the browser reads commands on its file descriptor 3 and
answers on 4, each message JSON ending in a NUL byte), so no port is opened and nothing
beyond the standard library is needed.  Each report page is loaded from its file, with the
network cut off as for the browser checks (:data:`~sharedservices.pipeline.browser.CHROMIUM_FLAGS`),
and printed with ``Page.printToPDF``: A4 unless the page's CSS ``@page`` rule sets another
size (``preferCSSPageSize``), backgrounds printed (coloured badges keep their colour), no
header or footer.  The browser is the one the checks use
(:func:`~sharedservices.pipeline.browser.find_chromium`: ``$SHAREDSERVICES_CHROMIUM``, else
``/usr/bin/chromium``).

A browser that is missing raises :class:`~sharedservices.errors.ToolMissing`, one that does
not start, crashes, times out or refuses to print raises
:class:`~sharedservices.errors.ToolFailed` (both exit 5, one line).  The runner prints into
the report's staging folder, so a failure leaves the published report as it was.

Page count: :func:`count_pages` reads the PDF itself (no PDF library is a dependency).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sharedservices.errors import OutputError, ToolFailed, cut

#: A4 in inches (210 mm x 297 mm), the paper when the page's CSS sets no ``@page`` size.
A4_INCHES = (210 / 25.4, 297 / 25.4)
#: Seconds allowed for the browser to start and answer.
START_TIMEOUT_S = 60.0
#: Seconds allowed to load and print one report.
PRINT_TIMEOUT_S = 120.0
#: Longest tail of the browser's own log quoted in an error.
LOG_TAIL_CHARS = 300

#: Runs in a small Python process between us and the browser: puts the two pipe ends on
#: descriptors 3 and 4, where ``--remote-debugging-pipe`` expects them, then becomes the
#: browser (exec).  (A shell cannot do it: dash redirects only descriptors 0 to 9.)
_TRAMPOLINE = ("import os, sys; r, w = int(sys.argv[1]), int(sys.argv[2]); "
               "os.dup2(r, 3); os.dup2(w, 4); os.close(r); os.close(w); "
               "os.execv(sys.argv[3], sys.argv[3:])")

_STREAM = re.compile(rb"\bstream\r?\n.*?\bendstream\b", re.S)
_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z0-9])")
_OBJ = re.compile(rb"\b\d+\s+\d+\s+obj\b(.*?)\bendobj\b", re.S)


def count_pages(data: bytes) -> int:
    """The number of pages of a PDF, read from the file itself.

    Stream contents (page drawings, images, fonts) are skipped, so bytes inside them
    cannot be mistaken for objects.  The count is the page tree's ``/Count`` (the ``/Pages``
    object without a ``/Parent``), and must equal the number of ``/Type /Page`` objects.

    Raises
    ------
    ValueError
        Not a PDF, or the page tree cannot be read (for example objects compressed into
        object streams, which Chromium does not write).

    Examples
    --------
    >>> pdf = (b"%PDF-1.4\\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\\n"
    ...        b"2 0 obj <</Type /Pages /Kids [3 0 R 4 0 R] /Count 2>> endobj\\n"
    ...        b"3 0 obj <</Type /Page /Parent 2 0 R /Contents 5 0 R>> endobj\\n"
    ...        b"4 0 obj <</Type/Page/Parent 2 0 R>> endobj\\n"
    ...        b"5 0 obj <</Length 20>> stream\\n/Type /Page /Type /Page\\nendstream endobj\\n%%EOF\\n")
    >>> count_pages(pdf)
    2
    >>> count_pages(b"<html>")
    Traceback (most recent call last):
    ...
    ValueError: not a PDF (it does not start with %PDF-)
    """
    if not data.startswith(b"%PDF-"):
        raise ValueError("not a PDF (it does not start with %PDF-)")
    if b"%%EOF" not in data[-1024:]:
        raise ValueError("the PDF is truncated (no %%EOF at its end)")
    text = _STREAM.sub(b"stream endstream", data)
    leaves, roots = 0, []
    for body in _OBJ.findall(text):
        if _PAGE.search(body):
            leaves += 1
        elif re.search(rb"/Type\s*/Pages\b", body) and b"/Parent" not in body:
            found = re.search(rb"/Count\s+(\d+)", body)
            if found:
                roots.append(int(found.group(1)))
    if len(roots) != 1 or roots[0] != leaves or leaves == 0:
        raise ValueError(f"cannot read its page tree ({leaves} page objects, root counts {roots})")
    return leaves


@dataclass(frozen=True)
class Printed:
    """One PDF written: its sha256, size, page count, the sha256 of the HTML it was printed
    from, and the seconds it took."""

    sha256: str
    bytes: int
    pages: int
    html_sha256: str
    seconds: float

    def manifest_entry(self, name: str) -> dict[str, Any]:
        """The ``pdf`` entry of ``reports/NAME.json``."""
        return {"file": f"{name}.pdf", "sha256": self.sha256, "bytes": self.bytes,
                "pages": self.pages, "html_sha256": self.html_sha256,
                "seconds": round(self.seconds, 2), "paper": "A4 unless the page's CSS @page sets a size"}


class Printer:
    """A headless Chromium that prints HTML files to PDF; started on first use.

    Use as a context manager (or call :meth:`close`): the browser, its renderer processes
    and its temporary profile are removed however the block ends.

    Parameters
    ----------
    executable : Path
        The Chromium to drive (see :func:`~sharedservices.pipeline.browser.find_chromium`).
    timeout_s : float
        Seconds allowed to load and print one report.
    """

    def __init__(self, executable: Path, timeout_s: float = PRINT_TIMEOUT_S) -> None:
        self.executable = Path(executable)
        self.timeout_s = timeout_s
        self._proc: subprocess.Popen[bytes] | None = None
        self._profile: tempfile.TemporaryDirectory[str] | None = None
        self._send_fd = self._recv_fd = -1
        self._buffer = b""
        self._next_id = 0
        self._session = ""
        self._events: list[dict[str, Any]] = []

    def __enter__(self) -> Printer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the browser ---------------------------------------------------------------------

    def _fail(self, what: str) -> ToolFailed:
        tail = ""
        if self._profile is not None:
            with contextlib.suppress(OSError):
                log = (Path(self._profile.name) / "chromium.log").read_text(errors="replace")
                lines = [x for x in log.splitlines() if x.strip() and "dbus" not in x.lower()]
                if lines:
                    tail = f"; its last words: {' '.join(lines[-1].split())[-LOG_TAIL_CHARS:]!r}"
        self.close(polite=False)
        return ToolFailed(f"pdf: Chromium at {str(self.executable)!r} {what}{tail} (allowed: a "
                          "working Chromium: `apt-get install chromium`, or set "
                          "$SHAREDSERVICES_CHROMIUM; the published reports are unchanged)")

    def start(self) -> None:
        """Start the browser and open the page that prints (done by the first print)."""
        if self._proc is not None:
            return
        from sharedservices.pipeline.browser import CHROMIUM_FLAGS

        self._profile = tempfile.TemporaryDirectory(prefix="sharedservices-pdf-")
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        # the browser's ends, moved above 9 so that neither is already 3 or 4
        theirs = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (to_browser_r, from_browser_w)]
        for fd in (to_browser_r, from_browser_w):
            os.close(fd)
        self._send_fd, self._recv_fd = to_browser_w, from_browser_r
        for fd in (self._send_fd, self._recv_fd):
            os.set_inheritable(fd, False)
        flags = [*CHROMIUM_FLAGS, "--remote-debugging-pipe", "--no-default-browser-check",
                 "--mute-audio", "--hide-scrollbars",
                 f"--user-data-dir={Path(self._profile.name) / 'profile'}"]
        try:
            with open(Path(self._profile.name) / "chromium.log", "wb") as log:
                self._proc = subprocess.Popen(
                    [sys.executable, "-c", _TRAMPOLINE, str(theirs[0]), str(theirs[1]),
                     str(self.executable), *flags, "about:blank"],
                    pass_fds=tuple(theirs), stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                    start_new_session=True)
        except OSError as exc:
            raise self._fail(f"could not be started ({exc.strerror or exc})") from None
        finally:
            for fd in theirs:
                os.close(fd)
        target = self._call("Target.createTarget", {"url": "about:blank"}, START_TIMEOUT_S,
                            what="did not start")["targetId"]
        self._session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True},
                                   START_TIMEOUT_S, what="did not open a page")["sessionId"]
        self._call("Page.enable", {}, START_TIMEOUT_S, session=True, what="did not open a page")
        self._call("Page.setLifecycleEventsEnabled", {"enabled": True}, START_TIMEOUT_S,
                   session=True, what="did not open a page")

    def close(self, polite: bool = True) -> None:
        """Close the browser (``polite``: asked first, for 5 s; then by force) and remove
        its profile."""
        proc, self._proc = self._proc, None
        if proc is not None:
            with contextlib.suppress(OSError):
                if polite:
                    os.write(self._send_fd, json.dumps({"id": 0, "method": "Browser.close"}).encode() + b"\0")
            try:
                proc.wait(timeout=5 if polite else 0.1)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(OSError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            with contextlib.suppress(OSError):  # renderers left behind in its session
                os.killpg(proc.pid, signal.SIGKILL)
        for fd in (self._send_fd, self._recv_fd):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._send_fd = self._recv_fd = -1
        self._buffer, self._session, self._events = b"", "", []
        if self._profile is not None:
            shutil.rmtree(self._profile.name, ignore_errors=True)
            self._profile = None

    # -- the protocol --------------------------------------------------------------------

    def _read(self, deadline: float, what: str) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise self._fail(what)
            ready, _, _ = select.select([self._recv_fd], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(self._recv_fd, 1 << 20)
            except OSError as exc:
                raise self._fail(f"stopped answering ({exc.strerror or exc})") from None
            if not chunk:  # the browser closed its end: it exited, or is exiting
                code = None
                if self._proc is not None:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        code = self._proc.wait(timeout=5)
                raise self._fail(f"exited ({'exit code ' + str(code) if code is not None else 'closed its pipe'})")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def _call(self, method: str, params: dict[str, Any], timeout_s: float, *,
              session: bool = False, what: str) -> dict[str, Any]:
        """Send one command and wait for its answer; events met meanwhile are kept."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self._session
        try:
            os.write(self._send_fd, json.dumps(message).encode() + b"\0")
        except OSError as exc:
            raise self._fail(f"{what} (its pipe closed: {exc.strerror or exc})") from None
        deadline = time.monotonic() + timeout_s
        while True:
            answer = self._read(deadline, f"{what} within {timeout_s:g} s")
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise self._fail(f"{what}: {method} answered {answer['error'].get('message', answer['error'])!r}")
                return answer.get("result", {})
            if "method" in answer:
                self._events.append(answer)

    def _wait_for_load(self, loader: str, deadline: float, what: str) -> None:
        def loaded() -> bool:
            return any(e.get("method") == "Page.lifecycleEvent" and e.get("sessionId") == self._session
                       and e["params"].get("name") == "load" and e["params"].get("loaderId") == loader
                       for e in self._events)

        while not loaded():
            event = self._read(deadline, what)
            if "method" in event:
                self._events.append(event)

    # -- printing ------------------------------------------------------------------------

    def print_pdf(self, html_file: Path, pdf_file: Path) -> Printed:
        """Print ``html_file`` (a self-contained report page) to ``pdf_file``.

        Raises
        ------
        ToolFailed
            The browser did not start, load the page or print it within the time allowed.
        OutputError
            ``pdf_file`` could not be written.
        """
        started = time.monotonic()
        html_bytes = Path(html_file).read_bytes()
        self.start()
        shown = cut(str(html_file))
        what = f"did not load {shown!r}"
        deadline = started + self.timeout_s
        self._events.clear()
        nav = self._call("Page.navigate", {"url": Path(html_file).resolve().as_uri()},
                         self.timeout_s, session=True, what=what)
        if nav.get("errorText"):
            raise self._fail(f"{what} ({nav['errorText']})")
        self._wait_for_load(nav.get("loaderId", ""), deadline, f"{what} within {self.timeout_s:g} s")
        self._call("Runtime.evaluate", {"expression": "document.fonts.ready.then(() => true)",
                                        "awaitPromise": True}, max(deadline - time.monotonic(), 1),
                   session=True, what=what)
        width, height = A4_INCHES
        result = self._call("Page.printToPDF", {
            "paperWidth": width, "paperHeight": height, "preferCSSPageSize": True,
            "printBackground": True, "displayHeaderFooter": False,
        }, max(deadline - time.monotonic(), 1), session=True,
            what=f"did not print {shown!r} within {self.timeout_s:g} s")
        data = base64.b64decode(result.get("data", ""))
        try:
            pages = count_pages(data)
        except ValueError as exc:
            raise self._fail(f"printed {shown!r} to an unreadable PDF ({exc})") from None
        partial = pdf_file.with_name(f".{pdf_file.name}.partial")
        try:
            partial.write_bytes(data)
            os.replace(partial, pdf_file)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise OutputError(f"outputs: cannot write {str(pdf_file)!r} ({exc.strerror or exc}) "
                              "(allowed: a writable directory with free space)") from None
        return Printed(hashlib.sha256(data).hexdigest(), len(data), pages,
                       hashlib.sha256(html_bytes).hexdigest(), time.monotonic() - started)


__all__ = ["A4_INCHES", "PRINT_TIMEOUT_S", "Printed", "Printer", "count_pages"]
