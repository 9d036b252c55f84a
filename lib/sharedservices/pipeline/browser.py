"""Open every built report in a real browser, with the network cut off, and check it.

``python -m sharedservices.pipeline.browser [PATHS...]`` (``make check-reports``) loads each
report HTML in headless Chromium -- Debian's ``chromium`` package, driven by Playwright's
Python package pointed at the system browser; nothing is ever downloaded -- and checks that

* the page logs no console errors and raises no uncaught script errors;
* the page makes no request other than for the file itself (``data:``/``blob:`` URIs are
  fine).  Every other request is aborted before it leaves the browser and reported;
* every ``<img>`` decodes (``img.decode()`` resolves and ``naturalWidth > 0``);
* every table-of-contents link, that is every link to a ``#fragment`` of the same document,
  lands on an element that exists, is displayed, and is a heading (``h1``-``h6``) or sits
  inside one.  (A heading's own permalink, such as nbconvert's pilcrow, always passes:
  it is hidden with its heading when the template hides the notebook's title.)

It saves a screenshot of each report's first screen (1280 x 800 CSS pixels) under
``_screens/<path relative to the directory checked>.png`` (by default
``reports/_screens/``), prints one line per report and a summary.

Which files are checked
-----------------------
With no ``PATHS``, the published set under ``reports/``.  A directory argument means every
``*.html`` under it except files in directories whose name starts with ``_`` or ``.``
(``_screens``, ``_failed``, staging), files under ``adhoc/``, and files inside a report's
own output folder (``NAME/`` next to ``NAME.html``).  For ``reports/`` that is
``reports/*.html`` (``index.html`` included) and ``reports/councils/**/*.html``.  A file
argument is checked as given.

Exit codes
----------
0 every report passed; 1 at least one report failed a check; 2 bad arguments (one-line
error); 4 a screenshot could not be written; 5 no usable Chromium (with how to install it;
when ``CI=true`` the message says CI requires it).  The browser is ``/usr/bin/chromium``
unless the environment variable ``SHAREDSERVICES_CHROMIUM`` names another executable.

Chromium runs with ``--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
--disable-background-networking --disable-component-update --disable-sync`` and a fresh
temporary profile (``--user-data-dir``, created and removed by Playwright).  Host names
resolve to nothing (``--host-resolver-rules``) and every proxied connection goes to a
closed local port (``--proxy-server``), so even a request that escaped the interception
could not reach the network.  One browser serves every report; ``--jobs``
pages, each in its own browser context, load reports at once, one after another.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag

from sharedservices.errors import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    InputError,
    OutputError,
    SharedServicesError,
    ToolMissing,
)
from sharedservices.inputs import paths

PROG = "check-reports"
#: Exit code when at least one report fails a check.
EXIT_CHECKS_FAILED = 1

#: Environment variable naming the Chromium executable (default :data:`DEFAULT_CHROMIUM`).
CHROMIUM_ENV = "SHAREDSERVICES_CHROMIUM"
#: Where Debian's ``chromium`` package puts the browser.
DEFAULT_CHROMIUM = Path("/usr/bin/chromium")
#: Sub-directory of the checked directory that receives the screenshots.
SCREENS_DIRNAME = "_screens"
#: The first screen that is photographed, in CSS pixels.
VIEWPORT: Mapping[str, int] = {"width": 1280, "height": 800}
#: Launch flags for a headless browser on a closed network, running as root.
CHROMIUM_FLAGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
)
#: URL schemes that never touch the network or another file.
LOCAL_SCHEMES: tuple[str, ...] = ("data:", "blob:", "about:")
#: Default seconds allowed for one page (load, image decoding, screenshot).
DEFAULT_TIMEOUT_S = 30.0
#: Seconds allowed for the browser to start.
LAUNCH_TIMEOUT_S = 60.0
#: Longest excerpt of a URL, message or link text quoted in a problem.
QUOTE_CHARS = 100

INSTALL_HINT = "install it with `apt-get install chromium` on Debian (as root, or with sudo)"

_IMAGES_JS = """
async (ms) => {
  const imgs = Array.from(document.images);
  const late = new Promise((resolve) => setTimeout(() => resolve('timed out decoding'), ms));
  const bad = [];
  await Promise.all(imgs.map(async (img, i) => {
    img.loading = 'eager';
    let error = await Promise.race([
      img.decode().then(() => '', (e) => 'does not decode (' + String((e && e.message) || e) + ')'),
      late,
    ]);
    if (!error && !(img.naturalWidth > 0)) error = 'has naturalWidth 0';
    if (error) bad.push({index: i + 1, src: img.getAttribute('src') || '', alt: img.alt || '', error});
  }));
  return {count: imgs.length, bad};
}
"""

_LINKS_JS = """
() => {
  const HEADINGS = 'h1,h2,h3,h4,h5,h6';
  const bad = [];
  let count = 0;
  for (const a of document.querySelectorAll('a[href^="#"]')) {
    const raw = a.getAttribute('href').slice(1);
    if (!raw) continue;
    count += 1;
    let id = raw;
    try { id = decodeURIComponent(raw); } catch (e) { /* keep the raw fragment */ }
    const text = (a.textContent || '').trim();
    const target = document.getElementById(id) || document.getElementsByName(id)[0];
    if (!target) { bad.push({href: '#' + raw, text, error: 'no element has that id'}); continue; }
    const heading = target.closest(HEADINGS);
    if (!heading) {
      bad.push({href: '#' + raw, text, error: 'lands on <' + target.tagName.toLowerCase() + '>, not a heading'});
    } else if (heading.contains(a)) {
      // the heading's own permalink (nbconvert's pilcrow): lands on its heading by construction
    } else if (heading.getClientRects().length === 0) {
      bad.push({href: '#' + raw, text, error: 'lands on a heading that is not displayed'});
    }
  }
  return {count, bad};
}
"""


@dataclass(frozen=True)
class Target:
    """One report to check, where its screenshot goes (``None``: no screenshot), and the
    screenshots directory that path sits in."""

    path: Path
    screenshot: Path | None
    screens_dir: Path | None = None


@dataclass
class ReportCheck:
    """What the browser found in one report.

    ``problems`` holds one short sentence per failed check (empty when the report passed);
    ``seconds`` is the wall-clock time for this page, load to screenshot.
    """

    path: Path
    problems: list[str] = field(default_factory=list)
    screenshot: Path | None = None
    seconds: float = 0.0
    images: int = 0
    links: int = 0

    @property
    def ok(self) -> bool:
        """True when the report passed every check."""
        return not self.problems


def quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """Quote ``text`` on one line, shortened to ``limit`` characters.

    Examples
    --------
    >>> quote("data:image/png;base64," + "A" * 500, limit=30)
    "'data:image/png;base64,AAAAA...'"
    >>> quote("two\\nlines")
    "'two lines'"
    """
    flat = " ".join(str(text).split())
    if len(flat) > limit:
        flat = flat[: limit - 3] + "..."
    return repr(flat)


def is_private(relative: Path) -> bool:
    """Whether a path inside a reports directory is not a published report.

    Private means: inside a directory whose name starts with ``_`` or ``.`` (screenshots,
    failure reports, staging, checkpoints) or under ``adhoc/``.

    Examples
    --------
    >>> is_private(Path("_screens/index.png")), is_private(Path("_failed/30-x.html"))
    (True, True)
    >>> is_private(Path("adhoc/run.html")), is_private(Path("councils/E0101/30-payback.html"))
    (True, False)
    >>> is_private(Path("index.html"))
    False
    """
    folders = relative.parts[:-1]
    return bool(folders) and (folders[0] == "adhoc" or any(p[:1] in "_." for p in folders))


def discover_reports(directory: Path) -> list[Path]:
    """Every published report HTML under ``directory``, top level first, sorted.

    Skips :func:`is_private` paths and files inside a report's own output folder
    (``NAME/`` next to ``NAME.html``, which holds figures and tables).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     root = Path(tmp)
    ...     for name in ["index.html", "10-data.html", "10-data/fig.html", "_failed/x.html",
    ...                  "_screens/index.html", "councils/E0101/30-payback.html", "notes.txt"]:
    ...         (root / name).parent.mkdir(parents=True, exist_ok=True)
    ...         _ = (root / name).write_text("<h1>x</h1>")
    ...     [p.relative_to(root).as_posix() for p in discover_reports(root)]
    ['10-data.html', 'index.html', 'councils/E0101/30-payback.html']
    """
    found = []
    for path in directory.rglob("*.html"):
        relative = path.relative_to(directory)
        if not path.is_file() or is_private(relative):
            continue
        if any(
            (directory / Path(*relative.parts[:depth])).with_suffix(".html").is_file()
            for depth in range(1, len(relative.parts))
        ):
            continue  # inside NAME/ next to NAME.html
        found.append(path)
    return sorted(found, key=lambda p: (len(p.relative_to(directory).parts), p.as_posix()))


def screenshot_path(report: Path, base: Path, screens_dir: Path) -> Path:
    """Where the screenshot of ``report`` (found under ``base``) is saved.

    Examples
    --------
    >>> screenshot_path(Path("reports/councils/E0101/30-x.html"), Path("reports"),
    ...                 Path("reports/_screens")).as_posix()
    'reports/_screens/councils/E0101/30-x.png'
    """
    return screens_dir / report.relative_to(base).with_suffix(".png")


def collect_targets(
    arguments: Sequence[str | os.PathLike[str]], screens_dir: Path | None = None
) -> list[Target]:
    """Turn command-line paths into the reports to check and their screenshot paths.

    ``arguments`` are directories (searched with :func:`discover_reports`) or HTML files;
    empty means ``reports/``.  Screenshots go under ``screens_dir`` if given, else under
    ``_screens/`` in the directory argument (a file's own folder for a file argument).

    Raises
    ------
    InputError
        A path that does not exist or is neither a directory nor an HTML file, or no
        report found at all.
    """
    if not arguments:
        arguments = [paths.REPORTS_DIR]
    targets: list[Target] = []
    for argument in arguments:
        given = Path(argument)
        if given.is_dir():
            base, reports = given, discover_reports(given)
        elif given.is_file() and given.suffix.lower() in {".html", ".htm"}:
            base, reports = given.parent, [given]
        elif given.exists():
            raise InputError(f"PATHS: {str(given)!r} is not an HTML file (allowed: .html files or directories of reports)")
        else:
            raise InputError(f"PATHS: {str(given)!r} does not exist (allowed: .html files or directories of reports; run `make reports` first)")
        screens = screens_dir if screens_dir is not None else base / SCREENS_DIRNAME
        targets += [Target(r, screenshot_path(r, base, screens), screens) for r in reports]
    if not targets:
        where = ", ".join(repr(str(a)) for a in arguments)
        raise InputError(f"PATHS: no HTML reports under {where} (allowed: directories holding built reports; run `make reports` first)")
    return targets


def find_chromium(environ: Mapping[str, str] | None = None, task: str = "the report checks") -> Path:
    """The Chromium executable to drive (for ``task``, named in the error).

    ``$SHAREDSERVICES_CHROMIUM`` if set (and then nothing else), else
    ``/usr/bin/chromium``, else ``chromium`` or ``chromium-browser`` on ``PATH``.

    Raises
    ------
    ToolMissing
        No executable browser found; the message says how to install one, or, when
        ``CI=true``, that CI requires it.

    Examples
    --------
    >>> find_chromium({"SHAREDSERVICES_CHROMIUM": "/nonexistent/chromium", "CI": "true"})
    Traceback (most recent call last):
    ...
    sharedservices.errors.ToolMissing: browser: no executable Chromium at '/nonexistent/chromium' (from $SHAREDSERVICES_CHROMIUM); CI requires it for the report checks: ...
    """
    environ = os.environ if environ is None else environ
    configured = environ.get(CHROMIUM_ENV, "")
    if configured:
        candidates = [Path(configured)]
        where = f"{configured!r} (from ${CHROMIUM_ENV})"
    else:
        on_path = [shutil.which(name) for name in ("chromium", "chromium-browser")]
        candidates = [DEFAULT_CHROMIUM] + [Path(p) for p in on_path if p]
        where = f"{str(DEFAULT_CHROMIUM)!r} or on PATH"
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    if environ.get("CI", "").lower() == "true":
        raise ToolMissing(f"browser: no executable Chromium at {where}; CI requires it for {task}: {INSTALL_HINT}")
    raise ToolMissing(f"browser: no executable Chromium at {where}, so {task} did not run; {INSTALL_HINT}, or set ${CHROMIUM_ENV} to a Chromium executable")


def is_allowed_request(url: str, page_url: str) -> bool:
    """Whether a request the page makes is allowed: the page's own file, or a local URI.

    Examples
    --------
    >>> page = "file:///srv/reports/index.html"
    >>> is_allowed_request(page + "#top", page), is_allowed_request("data:image/png;base64,AA", page)
    (True, True)
    >>> is_allowed_request("https://cdn.example.com/x.js", page)
    False
    >>> is_allowed_request("file:///srv/reports/10-data/fig.png", page)
    False
    """
    if url.startswith(LOCAL_SCHEMES):
        return True
    return urldefrag(url).url == urldefrag(page_url).url


def _write_screenshot(path: Path, png: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(png)
        partial.replace(path)
    except OSError as exc:
        raise OutputError(f"screenshot: cannot write {str(path)!r} ({exc.strerror or exc}); allowed: a writable directory") from exc


@dataclass
class _Seen:
    """What the page did while one report was open (filled by the page's event handlers)."""

    page_url: str
    requests: list[str] = field(default_factory=list)
    console: list[tuple[str, str]] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)


class _Slot:
    """One browser context and page, reused report after report.

    A fresh page per report costs a new renderer process (0.2-0.8 s here); navigating the
    same page costs a tenth of that.  Nothing carries over between reports: the network is
    cut, ``file://`` pages are not cached, and the page goes to ``about:blank`` between
    reports.  A page that misbehaved (timed out, crashed, could not be inspected) is
    closed and replaced.
    """

    def __init__(self, context, page) -> None:
        self.context, self.page = context, page
        self.seen: _Seen | None = None

    @classmethod
    async def open(cls, browser) -> _Slot:
        context = await browser.new_context(
            viewport=dict(VIEWPORT), service_workers="block", accept_downloads=False
        )
        slot = cls(context, await context.new_page())
        await context.route("**/*", slot._route)
        context.on("request", slot._on_request)  # the context's: pop-up windows included
        context.on("console", slot._on_console)
        slot.page.on("pageerror", slot._on_page_error)
        return slot

    def _allowed(self, url: str) -> bool:
        return url.startswith(LOCAL_SCHEMES) or (
            self.seen is not None and is_allowed_request(url, self.seen.page_url)
        )

    async def _route(self, route) -> None:
        if self._allowed(route.request.url):
            await route.continue_()
        else:
            await route.abort("blockedbyclient")

    def _on_request(self, request) -> None:
        if self.seen is not None and not self._allowed(request.url):
            self.seen.requests.append(request.url)

    def _on_console(self, message) -> None:
        if self.seen is not None and message.type == "error":
            self.seen.console.append((message.text, (message.location or {}).get("url", "")))

    def _on_page_error(self, error) -> None:
        if self.seen is not None:
            self.seen.script_errors.append(str(error))

    async def close(self) -> None:
        from playwright.async_api import Error as PlaywrightError

        with contextlib.suppress(PlaywrightError):
            await self.context.close()


async def _check_page(slot: _Slot, target: Target, timeout_s: float) -> tuple[ReportCheck, bool]:
    """Check one report in ``slot``; also say whether the slot can be reused."""
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    started = time.perf_counter()
    result = ReportCheck(target.path)
    seen = slot.seen = _Seen(target.path.resolve().as_uri())
    reusable = True
    page = slot.page
    page.set_default_timeout(timeout_s * 1000)

    async def inspect() -> tuple[dict, dict, bytes | None]:
        await page.goto(seen.page_url, wait_until="load")
        images = await page.evaluate(_IMAGES_JS, timeout_s * 1000)
        links = await page.evaluate(_LINKS_JS)
        png = await page.screenshot(animations="disabled") if target.screenshot else None
        return images, links, png

    try:  # evaluate() has no time limit of its own: a script that never yields would hang it
        images, links, png = await asyncio.wait_for(inspect(), timeout_s)
    except (PlaywrightTimeout, TimeoutError):
        result.problems.append(f"did not finish loading and rendering within {timeout_s:g} s")
        reusable = False
    except PlaywrightError as exc:
        result.problems.append(f"could not be opened or inspected: {quote(str(exc))}")
        reusable = False
    else:
        result.images, result.links = images["count"], links["count"]
        for bad in sorted(images["bad"], key=lambda b: b["index"]):
            label = f" alt={quote(bad['alt'], 40)}" if bad["alt"] else ""
            result.problems.append(f"image {bad['index']} ({quote(bad['src'], 60)}{label}) {bad['error']}")
        for bad in links["bad"]:
            result.problems.append(f"contents link {quote(bad['href'])} ({quote(bad['text'], 40)}): {bad['error']}")
        if target.screenshot is not None and png is not None:
            _write_screenshot(target.screenshot, png)
            result.screenshot = target.screenshot
    if reusable:
        try:  # unload the report (and its pop-ups), so nothing is blamed on the next one
            for other in slot.context.pages:
                if other is not page:
                    await other.close()
            await page.goto("about:blank", wait_until="load")
        except PlaywrightError:
            reusable = False
    slot.seen = None
    blocked = {urldefrag(u).url for u in seen.requests}
    result.problems += [f"network request blocked: {quote(u)}" for u in dict.fromkeys(seen.requests)]
    result.problems += [
        f"console error: {quote(text)}"
        for text, where in seen.console
        if urldefrag(where).url not in blocked  # the blocked request was reported above
    ]
    result.problems += [f"uncaught script error: {quote(text)}" for text in seen.script_errors]
    result.seconds = time.perf_counter() - started
    return result, reusable


async def _check_all(
    targets: Sequence[Target],
    executable: Path,
    jobs: int,
    timeout_s: float,
    on_result: Callable[[ReportCheck], None] | None,
) -> list[ReportCheck]:
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        try:
            browser = await playwright.chromium.launch(
                executable_path=str(executable),
                headless=True,
                chromium_sandbox=False,
                args=list(CHROMIUM_FLAGS),
                timeout=LAUNCH_TIMEOUT_S * 1000,
            )
        except PlaywrightError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ToolMissing(f"browser: Chromium at {str(executable)!r} did not start ({first}); {INSTALL_HINT}") from exc
        idle: list[_Slot] = []  # at most `jobs` slots exist: one per pass through `gate`
        gate = asyncio.Semaphore(jobs)

        async def one(target: Target) -> ReportCheck:
            async with gate:
                slot = idle.pop() if idle else await _Slot.open(browser)
                try:
                    result, reusable = await _check_page(slot, target, timeout_s)
                except BaseException:
                    await slot.close()
                    raise
                if reusable:
                    idle.append(slot)
                else:
                    await slot.close()
                return result

        tasks = [asyncio.ensure_future(one(t)) for t in targets]
        results: list[ReportCheck] = []
        try:
            for task in tasks:  # in order, each as soon as it and those before it are done
                results.append(await task)
                if on_result is not None:
                    on_result(results[-1])
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for slot in idle:
                await slot.close()
            await browser.close()
        return results


def check_reports(
    targets: Iterable[Target],
    *,
    executable: Path | None = None,
    jobs: int = 1,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    on_result: Callable[[ReportCheck], None] | None = None,
) -> list[ReportCheck]:
    """Check each target in one headless Chromium; return one :class:`ReportCheck` each.

    Parameters
    ----------
    targets
        Reports and their screenshot paths (see :func:`collect_targets`).
    executable
        The Chromium to drive (default: :func:`find_chromium`).
    jobs
        Pages loaded at once (>= 1).
    timeout_s
        Seconds allowed per page (loading, decoding images, the screenshot).
    on_result
        Called with each result, in the order of ``targets``, as soon as it is known.

    Raises
    ------
    ToolMissing
        No browser, or Playwright not installed, or the browser did not start (exit 5).
    OutputError
        A screenshot could not be written (exit 4).
    """
    try:
        import playwright.async_api  # noqa: F401
    except ImportError as exc:
        raise ToolMissing("playwright: the Python package is not installed; install the developer requirements with `make dev`") from exc
    if jobs < 1:
        raise InputError(f"--jobs: {jobs!r} is not allowed (allowed: an integer >= 1)")
    executable = find_chromium() if executable is None else executable
    return asyncio.run(_check_all(list(targets), executable, jobs, timeout_s, on_result))


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def report_line(result: ReportCheck) -> str:
    """The one line printed for a report.

    Examples
    --------
    >>> report_line(ReportCheck(Path("/no/such/index.html"), seconds=0.25, images=2, links=5))
    'ok    /no/such/index.html (0.25 s; 2 images, 5 contents links)'
    >>> report_line(ReportCheck(Path("/no/such/x.html"), ["console error: 'boom'"], seconds=0.1, links=1))
    "FAIL  /no/such/x.html (0.10 s; 0 images, 1 contents link): console error: 'boom'"
    """
    counts = f"{_plural(result.images, 'image')}, {_plural(result.links, 'contents link')}"
    line = f"{'ok  ' if result.ok else 'FAIL'}  {_shown(result.path)} ({result.seconds:.2f} s; {counts})"
    return line + (": " + "; ".join(result.problems) if result.problems else "")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, instead of usage + message
        raise InputError(f"arguments: {message} (see `python -m sharedservices.pipeline.browser --help`)")


def _positive(kind: type) -> Callable[[str], float | int]:
    def parse(text: str) -> float | int:
        try:
            value = kind(text)
        except ValueError:
            what = "an integer" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"{text!r} is not {what} (allowed: {what} > 0)") from None
        if not value > 0 or value == float("inf"):
            raise argparse.ArgumentTypeError(f"{text!r} is not allowed (allowed: a finite number > 0)")
        return value

    return parse


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m sharedservices.pipeline.browser",
        description="Open built reports in headless Chromium with the network cut off; check console, "
        "requests, images and contents links; save a screenshot of each first screen.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATHS", help="report directories or .html files (default: reports/)")
    parser.add_argument("--screens-dir", type=Path, help="where screenshots go (default: _screens/ in each directory checked)")
    parser.add_argument("-j", "--jobs", type=_positive(int), default=min(os.cpu_count() or 1, 4), help="pages loaded at once (default: CPUs, at most 4)")
    parser.add_argument("--timeout", type=_positive(float), default=DEFAULT_TIMEOUT_S, help="seconds allowed per page (default: %(default)s)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the checks from the command line; return the exit code (see module docstring)."""
    started = time.perf_counter()
    try:
        options = _parser().parse_args(argv)
        targets = collect_targets(options.paths, options.screens_dir)
        executable = find_chromium()
        results = check_reports(
            targets,
            executable=executable,
            jobs=options.jobs,
            timeout_s=options.timeout,
            on_result=lambda r: print(report_line(r), flush=True),
        )
    except SharedServicesError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader went away (`... | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_CHECKS_FAILED
    elapsed = time.perf_counter() - started
    failed = sum(not r.ok for r in results)
    screens = sorted({_shown(t.screens_dir) for t in targets if t.screens_dir and t.screenshot})
    rate = len(results) / elapsed if elapsed > 0 else float("inf")
    print(
        f"{PROG}: {len(results)} reports in {elapsed:.1f} s ({rate:.1f} pages/s, {options.jobs} at a time): "
        f"{len(results) - failed} ok, {failed} failed"
        + (f"; first screens under {', '.join(screens)}" if screens else "")
    )
    return EXIT_CHECKS_FAILED if failed else EXIT_OK


if __name__ == "__main__":  # pragma: no cover - exercised through subprocess in the tests
    sys.exit(main())
