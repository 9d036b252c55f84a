"""The council index in a real browser: sorting, filtering, no-JS fallback, report checks.

Skipped when no Chromium is installed, except under ``CI=true`` (where it must run).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sharedservices.errors import ToolMissing
from sharedservices.pipeline import browser
from sharedservices.pipeline.councils_index import write_councils_index
from sharedservices.pipeline.publish import write_atomic
from test_batch import project  # noqa: F401  (fixture)

GROUP = pytest.mark.xdist_group("batch-browser")


def _chromium() -> Path:
    try:
        return browser.find_chromium()
    except ToolMissing:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("no Chromium installed")


@pytest.fixture
def index(project: Path) -> Path:  # noqa: F811
    dest = project / "reports" / "councils"
    dest.mkdir(parents=True)
    values = {"E5014": 182.5, "E5011": 220.3, "E5030": None, "E2532": 136.4, "E0101": 0.5}
    for code, value in values.items():
        (dest / f"{code}.html").write_text(f"<!DOCTYPE html><title>{code}</title><h1>{code}</h1>")
        write_atomic(dest / f"{code}.json", json.dumps({
            "status": "complete", "headlines": {"population": {
                "value": value, "unit": "thousand people", "label": "Population"}},
            "provenance": {"parameters": {"council": code}}}))
    return write_councils_index(dest, "notebooks/fx-council.ipynb")


def _visible_codes(page) -> list[str]:
    return page.eval_on_selector_all(
        "#councils tbody tr", "rows => rows.filter(r => !r.hidden).map(r => r.cells[1].textContent)")


@GROUP
def test_index_sorts_and_filters_in_a_browser_and_works_without_javascript(index):
    from playwright.sync_api import sync_playwright

    exe = _chromium()
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(exe), headless=True, chromium_sandbox=False,
                               args=list(browser.CHROMIUM_FLAGS))
        try:
            page = b.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(index.as_uri())
            # no-JS order is by name; the controls appear
            assert _visible_codes(page) == ["E5030", "E0101", "E5011", "E2532", "E5014"]
            assert page.is_visible("#filter")
            page.click("th:has-text('Population') button")
            assert _visible_codes(page) == ["E0101", "E2532", "E5014", "E5011", "E5030"]
            page.click("th:has-text('Population') button")  # descending; missing stays last
            assert _visible_codes(page) == ["E5011", "E5014", "E2532", "E0101", "E5030"]
            assert page.get_attribute("th:has-text('Population')", "aria-sort") == "descending"
            page.fill("#filter", "hammersmith")
            assert _visible_codes(page) == ["E5014"]
            assert page.text_content("#count") == "Showing 1 of 5 councils"
            page.fill("#filter", "")
            page.select_option("#class-filter", "L")
            assert sorted(_visible_codes(page)) == ["E5011", "E5014", "E5030"]
            page.select_option("#class-filter", "")
            page.select_option("#region-filter", "EM")  # East Midlands: East Lindsey alone
            assert _visible_codes(page) == ["E2532"]
            assert page.text_content("#count") == "Showing 1 of 5 councils"
            page.select_option("#class-filter", "L")  # both filters at once: none
            assert _visible_codes(page) == []
            assert errors == []
            # JavaScript disabled: a plain table, every row, no controls
            ctx = b.new_context(java_script_enabled=False)
            plain = ctx.new_page()
            plain.goto(index.as_uri())
            assert not plain.is_visible("#filter")
            assert plain.locator("#councils tbody tr").count() == 5
            ctx.close()
        finally:
            b.close()
    # the suite's own report check: no console errors, no requests
    assert browser.main([str(index)]) == 0
