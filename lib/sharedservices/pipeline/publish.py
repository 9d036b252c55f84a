"""Atomic publishing, manifests, failure reports and the build lock.

Publishing one report (from ``reports/.staging/<run>/``):

1. remove ``reports/NAME.json`` (the manifest): from here until step 4 the report is
   *incomplete*, and the next build redoes it;
2. move the old ``reports/NAME/`` aside and the new one into place (``os.replace``);
3. ``os.replace`` the new ``NAME.html`` into place, then the new ``NAME.pdf`` if one was
   printed (``build --pdf``), or else, for the published set, remove the old ``NAME.pdf``:
   a PDF is never left beside a page it was not printed from;
4. ``os.replace`` the new manifest into place, last.

A build killed at any moment therefore leaves each report complete-old (before 1),
complete-new (after 4) or without a manifest (incomplete, rebuilt next time); Ctrl-C and
SIGTERM are held back while a report is being published (:func:`critical`), so they
always leave it complete.  A report is *current* only if its manifest is complete, its
fingerprint matches and the sha256 of its HTML and of every exported file matches the
manifest; and, if the manifest records a PDF, the PDF's sha256 matches and it was printed
from the HTML the manifest records (:func:`report_state`).  A report current but for its PDF
gets only its PDF printed and published (``--pdf``) or, without ``--pdf``, a PDF that no
longer matches removed (:func:`publish_pdf`: the same steps 1, 3 and 4, page and folder
untouched).

Nothing the suite did not write is replaced: before a report is run, :func:`foreign_output`
checks that an existing ``NAME/``, ``NAME.json`` or ``NAME.html`` is the suite's (the
marker file :data:`MARKER` inside ``NAME/``, a suite manifest, or the page's
``generator`` meta tag prove it), and, for the published set, that an existing ``NAME.pdf``
is (a suite manifest or the suite's page beside it proves it).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sharedservices.errors import LockHeld, OutputError
from sharedservices.pipeline.jobs import Failure
from sharedservices.pipeline.provenance import sha256_file

STAGING = ".staging"
FAILED = "_failed"
LOCK_FILE = ".build.lock"
#: Written into every published ``NAME/`` folder: proof that the suite wrote it.
MARKER = ".sharedservices-report.json"
#: The ``<meta name="generator">`` every report page carries (the report template).
GENERATOR = "sharedservices"


class _Critical:
    """Depth of :func:`critical` sections and the interruption held back meanwhile."""

    depth = 0
    pending: BaseException | None = None


@contextmanager
def critical() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back while the block runs (publishing one report).

    The command line's signal handlers call :func:`interrupt`, which raises at once outside
    a critical section and otherwise records the interruption, raised when the outermost
    section ends.  Publishing takes milliseconds, so the delay is not noticeable, and an
    interrupted build never leaves a report half-moved.
    """
    _Critical.depth += 1
    try:
        yield
    except BaseException:
        _Critical.depth -= 1
        if _Critical.depth == 0:
            _Critical.pending = None  # the block's own error ends the command anyway
        raise
    _Critical.depth -= 1
    if _Critical.depth == 0 and _Critical.pending is not None:
        exc, _Critical.pending = _Critical.pending, None
        raise exc


def interrupt(exc: BaseException) -> None:
    """Raise ``exc`` now, or when the current :func:`critical` section ends."""
    if _Critical.depth > 0:
        if _Critical.pending is None:
            _Critical.pending = exc
        return
    raise exc


@contextmanager
def output_errors(what: Path | str) -> Iterator[None]:
    """Turn an OSError while writing outputs into :class:`OutputError` (exit 4)."""
    try:
        yield
    except OutputError:
        raise
    except OSError as exc:
        target = exc.filename or what
        raise OutputError(f"outputs: cannot write {str(target)!r} ({exc.strerror or exc}) "
                          "(allowed: a writable directory with free space)") from None


def ensure_dir(path: Path) -> Path:
    """Create ``path`` (and parents) or raise :class:`OutputError`."""
    with output_errors(path):
        if path.exists() and not path.is_dir():
            raise OutputError(f"outputs: {str(path)!r} is not a directory (allowed: a directory)")
        path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def build_lock(reports_dir: Path, wait: bool = False) -> Iterator[None]:
    """Hold ``reports/.build.lock``; raise :class:`LockHeld` at once unless ``wait``."""
    from filelock import FileLock, Timeout

    ensure_dir(reports_dir)
    lock = FileLock(str(reports_dir / LOCK_FILE))
    try:
        lock.acquire(timeout=-1 if wait else 0)
    except Timeout:  # (a TimeoutError, so an OSError: caught first)
        raise LockHeld(f"reports: another build holds {reports_dir / LOCK_FILE} "
                       "(allowed: wait for it to finish, or pass --wait)") from None
    except OSError as exc:  # a read-only mount or no permission: exit 4
        raise OutputError(f"outputs: cannot write {str(exc.filename or reports_dir / LOCK_FILE)!r} "
                          f"({exc.strerror or exc}) (allowed: a writable directory with free "
                          "space)") from None
    try:
        yield
    finally:
        lock.release()


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and ``os.replace``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with output_errors(path):
        try:
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)


def write_if_changed(path: Path, text: str) -> bool:
    """:func:`write_atomic` unless ``path`` already holds ``text``; True if written."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, ValueError):
        pass
    write_atomic(path, text)
    return True


def read_manifest(reports_dir: Path, name: str) -> dict[str, Any] | None:
    """The report's manifest, or None if absent or unreadable."""
    try:
        data = json.loads((reports_dir / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_manifest(data: Any, name: str) -> bool:
    """Whether ``data`` is a manifest the suite wrote for report ``name``."""
    return (isinstance(data, dict) and data.get("name") == name
            and isinstance(data.get("files"), dict) and "html_sha256" in data)


def report_state(reports_dir: Path, name: str, fingerprint: str, pdf: bool = False) -> str:
    """Whether ``reports/NAME`` is ``"current"``, needs only its ``"pdf"``, or is ``"stale"``.

    Current: the manifest is complete and built from inputs with ``fingerprint``; the page
    and every exported file under ``NAME/`` have the sha256 it records (an emptied PNG or an
    edited CSV is not current); a PDF it records has the recorded sha256 and was printed from
    the page it records; and, when ``pdf`` is asked for, it records one.  Everything current
    but the PDF is ``"pdf"``: with ``pdf`` the PDF is printed again, without it a recorded PDF
    that no longer matches (deleted, edited) is removed with its record
    (:func:`publish_pdf`); the page is not rebuilt for it.
    """
    m = read_manifest(reports_dir, name)
    if not m or m.get("status") != "complete" or m.get("fingerprint") != fingerprint:
        return "stale"
    files = m.get("files")
    if not isinstance(files, dict):
        return "stale"
    try:
        if sha256_file(reports_dir / f"{name}.html") != m.get("html_sha256"):
            return "stale"
        if not all(sha256_file(reports_dir / rel) == sha for rel, sha in files.items()):
            return "stale"
    except OSError:
        return "stale"
    if m.get("pdf") is None:
        return "pdf" if pdf else "current"
    return "current" if pdf_matches(reports_dir, name, m) else "pdf"


def pdf_matches(reports_dir: Path, name: str, manifest: dict[str, Any]) -> bool:
    """Whether the manifest records a PDF, ``NAME.pdf`` has its sha256, and it was printed
    from the page the manifest records."""
    recorded = manifest.get("pdf")
    if not isinstance(recorded, dict) or recorded.get("html_sha256") != manifest.get("html_sha256"):
        return False
    try:
        return sha256_file(reports_dir / f"{name}.pdf") == recorded.get("sha256")
    except OSError:
        return False


def is_current(reports_dir: Path, name: str, fingerprint: str) -> bool:
    """True if ``reports/NAME`` is complete and built from inputs with ``fingerprint``
    (:func:`report_state` is ``"current"``, no PDF asked for)."""
    return report_state(reports_dir, name, fingerprint) == "current"


def _is_suite_page(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    for tag in re.findall(rb"<meta\b[^>]*>", head, re.I):  # attribute order varies
        if re.search(rb'\bname="generator"', tag) and \
                re.search(rb'\bcontent="' + GENERATOR.encode() + rb'"', tag):
            return True
    return False


def foreign_output(dest_dir: Path, name: str, pdf: bool = False) -> Path | None:
    """The first of ``NAME/``, ``NAME.json``, ``NAME.html`` (and, with ``pdf``, ``NAME.pdf``)
    in ``dest_dir`` that exists and was not written by the suite (publishing would replace
    it), or None.

    The suite's own: a folder holding :data:`MARKER` (or described by a suite manifest), a
    manifest (:func:`is_manifest`), a page with the suite's ``generator`` meta tag (or
    described by a suite manifest), a PDF beside a suite manifest or a suite page (the
    published set's ``NAME.pdf``, which a build with ``--pdf`` writes and one without
    removes when it republishes ``NAME.html``).
    """
    folder, manifest, page = dest_dir / name, dest_dir / f"{name}.json", dest_dir / f"{name}.html"
    ours = is_manifest(read_manifest(dest_dir, name), name)
    if (manifest.exists() or manifest.is_symlink()) and not ours:
        return manifest
    if folder.exists() or folder.is_symlink():
        if folder.is_symlink() or not folder.is_dir():
            return folder
        if not (ours or (folder / MARKER).is_file()):
            return folder
    if page.exists() or page.is_symlink():
        if page.is_symlink() or not page.is_file():
            return page
        if not (ours or _is_suite_page(page)):
            return page
    doc = dest_dir / f"{name}.pdf"
    if pdf and (doc.exists() or doc.is_symlink()):
        if doc.is_symlink() or not doc.is_file():
            return doc
        if not (ours or (page.is_file() and _is_suite_page(page))):
            return doc
    return None


def publish(staging: Path, dest_dir: Path, name: str, manifest: dict[str, Any], *,
            drop_pdf: bool = False) -> Path:
    """Move a staged report into ``dest_dir`` atomically; the manifest goes last.

    A staged ``NAME.pdf`` is published with the page.  Without one, ``drop_pdf`` (the
    published set) removes an old ``NAME.pdf``, which was printed from the page replaced.
    Returns the published HTML path.  Raises :class:`OutputError` on a write failure.
    """
    final_html = dest_dir / f"{name}.html"
    final_dir = dest_dir / name
    final_manifest = dest_dir / f"{name}.json"
    final_pdf = dest_dir / f"{name}.pdf"
    staged_pdf = staging / f"{name}.pdf"
    touches_pdf = drop_pdf or staged_pdf.is_file()
    foreign = foreign_output(dest_dir, name, pdf=touches_pdf)
    if foreign is not None:  # checked before running; a file may have appeared since
        raise OutputError(f"outputs: {str(foreign)!r} was not written by sharedservices and "
                          "would be replaced (allowed: move it away, or choose another name)")
    with critical(), output_errors(dest_dir):
        (staging / name).mkdir(exist_ok=True)
        (staging / name / MARKER).write_text(
            json.dumps({"report": name, "written_by": GENERATOR}) + "\n", encoding="utf-8")
        new_manifest = _stage_manifest(staging, name, manifest)
        # 1. mark incomplete
        final_manifest.unlink(missing_ok=True)
        _after_step("unmarked")
        # 2. swap the output folder
        old = staging / f"{name}.old"
        if final_dir.exists():
            os.replace(final_dir, old)
        _after_step("old-moved")
        os.replace(staging / name, final_dir)
        _after_step("dir-moved")
        # 3. the page, then its PDF (or no PDF at all)
        os.replace(staging / f"{name}.html", final_html)
        _after_step("html-moved")
        if staged_pdf.is_file():
            os.replace(staged_pdf, final_pdf)
        elif drop_pdf:
            final_pdf.unlink(missing_ok=True)
        _after_step("pdf-moved")
        # 4. the manifest, last
        os.replace(new_manifest, final_manifest)
        shutil.rmtree(old, ignore_errors=True)
    return final_html


def publish_pdf(staging: Path, dest_dir: Path, name: str, manifest: dict[str, Any]) -> Path:
    """Publish a PDF printed from the page already published, with its new manifest; or,
    with no ``NAME.pdf`` staged, remove the published PDF (``manifest`` records none).

    The same order as :func:`publish`: the manifest is removed, the PDF moved into place
    (or removed), the manifest written last; the page and ``NAME/`` are not touched.
    Returns the PDF path.
    """
    final_pdf = dest_dir / f"{name}.pdf"
    final_manifest = dest_dir / f"{name}.json"
    foreign = foreign_output(dest_dir, name, pdf=True)
    if foreign is not None:
        raise OutputError(f"outputs: {str(foreign)!r} was not written by sharedservices and "
                          "would be replaced (allowed: move it away, or choose another name)")
    with critical(), output_errors(dest_dir):
        new_manifest = _stage_manifest(staging, name, manifest)
        final_manifest.unlink(missing_ok=True)
        _after_step("unmarked")
        if (staging / f"{name}.pdf").is_file():
            os.replace(staging / f"{name}.pdf", final_pdf)
        else:
            final_pdf.unlink(missing_ok=True)
        _after_step("pdf-moved")
        os.replace(new_manifest, final_manifest)
    return final_pdf


def _stage_manifest(staging: Path, name: str, manifest: dict[str, Any]) -> Path:
    path = staging / f"{name}.json"
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n",
                    encoding="utf-8")
    return path


def _after_step(step: str) -> None:
    """Test hook: tests patch this to interrupt publishing between steps."""


def clear_failure(failed_dir: Path, name: str) -> None:
    """Remove a stale failure report (after a successful build, or when the report is
    current again)."""
    for suffix in (".html", ".ipynb"):
        path = failed_dir / f"{name}{suffix}"
        if path.is_file():
            with output_errors(path):
                path.unlink(missing_ok=True)


def write_failure(failed_dir: Path, name: str, title: str, failure: Failure,
                  parameters: dict[str, Any], executed: Path | None,
                  notebook_rel: str) -> Path:
    """Write ``_failed/NAME.html`` (and the executed notebook beside it as NAME.ipynb)."""
    ensure_dir(failed_dir)
    nb_link = ""
    with output_errors(failed_dir):
        if executed is not None and executed.is_file():
            shutil.copyfile(executed, failed_dir / f"{name}.ipynb")
            nb_path = (failed_dir / f"{name}.ipynb").resolve()
            nb_link = (f'<p>Executed notebook (as far as it ran): '
                       f'<a href="{html.escape(name)}.ipynb">{html.escape(str(nb_path))}</a></p>')
    e = html.escape
    cell = failure.cell_source or ""
    where = (f"cell {failure.cell_index} (execution count {failure.execution_count})"
             if failure.cell_index is not None else "before or after the cells ran")
    params = "".join(f"<li><code>{e(k)} = {e(json.dumps(v))}</code></li>"
                     for k, v in parameters.items()) or "<li>none</li>"
    page = f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Build failed: {e(name)}</title>
<style>body{{font-family:Arial,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}
pre{{background:#f6f6f4;padding:.8rem;white-space:pre-wrap}} .err{{color:#a00}}</style></head>
<body><h1>Build failed: {e(title)}</h1>
<p>Report <code>{e(name)}</code> from <code>{e(notebook_rel)}</code>.
The previously published report, if any, is unchanged.</p>
<h2>Error</h2><p class="err">{e(failure.error or "unknown error")}</p>
<h2>Failing cell</h2><p>{e(where)}</p><pre>{e(cell)}</pre>
<h2>Traceback</h2><pre>{e(failure.traceback)}</pre>
<h2>Parameters</h2><ul>{params}</ul>
{nb_link}
</body></html>
"""
    out = failed_dir / f"{name}.html"
    write_atomic(out, page)
    return out


def clean_staging(dest_dir: Path) -> None:
    """Remove ``dest_dir/.staging``: leftovers of killed builds, or this build's own staging
    at its end, however it ends (call while holding the lock)."""
    shutil.rmtree(dest_dir / STAGING, ignore_errors=True)


def remove_staging_run(staging: Path) -> None:
    """Remove one run's staging folder, then ``.staging`` itself if nothing else is in it."""
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.parent.rmdir()
    except OSError:  # another run's staging is still there, or it is already gone
        pass
