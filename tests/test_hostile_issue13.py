"""Hostile inputs, second round (issue 13): the fourteen ways a build could still hurt.

Each test below failed on the code before issue 13 (data deleted, a wrong report
published with exit 0, a traceback or a hang, an index out of step); the section headers
give the issue's point numbers.  For the data-loss cases every file that existed before is
checked byte for byte afterwards.  Most cases are refused before any kernel starts; the
others run the small fixture notebooks of tests/fixtures.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FX_CLI, PROCESSED, copy_processed, write_reports_yaml
from sharedservices.pipeline import publish
from sharedservices.pipeline.cli import main
from sharedservices.pipeline.councils_index import councils_index_html
from test_batch import BATCH, parse_index, project  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[1]
NB30 = ROOT / "notebooks" / "30-payback-vs-cuts.ipynb"
FX_BATCH = BATCH / "fx_batch.py"
A = pytest.mark.xdist_group("hostile13-a")
B = pytest.mark.xdist_group("hostile13-b")


def cli(root: Path, *args: str) -> int:
    return main(["--root", str(root), *args])


def nb(root: Path) -> str:
    return str(root / "notebooks" / "fx-report.ipynb")


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err[:2000]
    assert len(err) < 1100, f"{len(err)} characters: {err[:300]}…"
    return err.strip()


def tree(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (the byte-identity check of the data-loss cases)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def fake_batch_reports(reports: Path) -> None:
    """Published-looking batch and ad-hoc reports, and an index page (no kernel needed)."""
    councils = reports / "councils"
    (councils / "E5014").mkdir(parents=True)
    (councils / "E5014.html").write_text("<html>H&F</html>")
    (councils / "E5014" / "population.csv").write_text("a,b\n1,2\n")
    (councils / "E5014.json").write_text(json.dumps({"name": "E5014", "status": "complete",
                                                     "html_sha256": "x", "files": {}}))
    (councils / "index.html").write_text("<html>councils</html>")
    (reports / "adhoc").mkdir()
    (reports / "adhoc" / "fx-report-1234.html").write_text("<html>adhoc</html>")
    (reports / "index.html").write_text("<html>index</html>")


# --- 1. `run -o DIR/NAME.html` replacing what the suite did not write -------------------

@pytest.mark.parametrize("case", ["folder", "manifest", "page", "project-data"])
def test_run_output_never_replaces_files_the_suite_did_not_write(mini_project, tmp_path,
                                                                  capsys, case):
    root = mini_project
    out = tmp_path / "published"
    (out / "data" / "raw").mkdir(parents=True)
    (out / "data" / "raw" / "workbook.xls").write_bytes(b"\xd0\xcf\x11\xe0 raw workbook")
    (out / "data" / "notes.md").write_text("my notes\n")
    target = {"folder": out / "data.html", "manifest": out / "mine.html",
              "page": out / "page.html", "project-data": root / "data.html"}[case]
    if case == "manifest":
        (out / "mine.json").write_text('{"my": "settings"}\n')
    if case == "page":
        (out / "page.html").write_text("<html>my own page</html>\n")
    before_out, before_root = tree(out), tree(root)
    assert cli(root, "run", nb(root), "-o", str(target)) == 2
    err = one_line_error(capsys)
    assert "was not written by sharedservices" in err and "(allowed:" in err
    assert tree(out) == before_out and tree(root) == before_root


@A
def test_run_output_replaces_its_own_report_and_leaves_no_staging(mini_project, tmp_path,
                                                                  capsys):
    root = mini_project
    target = tmp_path / "out" / "mine.html"
    for scale in ("1", "2"):  # the second run replaces the suite's own NAME/, NAME.json
        assert cli(root, "run", nb(root), "-p", "scale", scale, "-o", str(target)) == 0
        assert not (target.parent / publish.STAGING).exists()  # point 14
    m = json.loads(target.with_suffix(".json").read_text())
    assert m["provenance"]["parameters"]["scale"] == 2
    assert (target.parent / "mine" / publish.MARKER).is_file()


# --- 2. reserved report names ------------------------------------------------------------

@pytest.mark.parametrize("name", ["councils", "adhoc", "index"])
def test_reserved_report_names_exit_2_and_keep_published_files(mini_project, capsys, name):
    root = mini_project
    reports = root / "reports"
    fake_batch_reports(reports)
    before = tree(reports)
    write_reports_yaml(root, [{"name": name}])
    assert cli(root, "build", "--only", name) == 2
    err = one_line_error(capsys)
    assert f"report '{name}': the name is reserved" in err and "(allowed: any other slug" in err
    assert tree(reports) == before


@pytest.mark.parametrize("where", ["reports/index.html", "reports/adhoc.html",
                                   "reports/councils.html", "reports/councils/E5014.html",
                                   "reports/_failed.html"])
def test_run_cannot_take_the_build_own_names(mini_project, capsys, where):
    root = mini_project
    reports = root / "reports"
    fake_batch_reports(reports)
    before = tree(reports)
    assert cli(root, "run", nb(root), "-o", str(root / where)) == 2
    err = one_line_error(capsys)
    assert err.startswith("error: -o: ") and "(allowed:" in err
    assert tree(reports) == before


# --- 3. duplicate YAML keys --------------------------------------------------------------

def test_duplicate_key_in_reports_yaml_exits_2(mini_project, capsys):
    root = mini_project
    (root / "reports.yaml").write_text(
        "reports:\n  - name: fx-a\n    title: Fixture\n    notebook: notebooks/fx-report.ipynb\n"
        "    parameters:\n      label: Cambridgeshire\n      scale: 1.5\n      scale: 3.0\n")
    assert cli(root, "build") == 2
    assert one_line_error(capsys) == ("error: reports.yaml: duplicate key 'scale' at line 8 "
                                      "(allowed: each key once)")
    assert not (root / "reports").exists()


def test_duplicate_key_in_a_parameter_file_exits_2(tmp_path, capsys):
    f = tmp_path / "p.yaml"
    f.write_text('council: "E0521"\nprogramme: broad\ncouncil: "E2532"\n')
    assert main(["run", str(NB30), "-f", str(f), "-o", str(tmp_path / "o" / "r.html")]) == 2
    assert one_line_error(capsys) == (f"error: parameter file '{f}': duplicate key 'council' "
                                      "at line 3 (allowed: each key once)")
    assert not (tmp_path / "o").exists()


# --- 4 and 6. the processed data and assumptions: domain rules, checked before any kernel --

def _set_value(fname: str, key: str, value: str):
    def edit(text: str) -> str:
        new, n = re.subn(rf"^({re.escape(key)},)[^,]*", rf"\g<1>{value}", text, flags=re.M)
        assert n == 1, key
        return new
    return edit


def _line(fname: str, key: str) -> int:
    """The line number of the row starting ``key`` in the committed table (as errors quote it)."""
    for n, line in enumerate((PROCESSED / fname).read_text().splitlines(), start=1):
        if line.startswith(key + ","):
            return n
    raise AssertionError(key)


def _drop_row(key: str):
    def edit(text: str) -> str:
        new, n = re.subn(rf"^{re.escape(key)},.*\n", "", text, flags=re.M)
        assert n == 1, key
        return new
    return edit


DATA_CASES = [
    # 4: values outside their domain, and a missing row
    ("processed", "finance.csv", _set_value("finance.csv", "E2532,2011-12,revenue_support_grant",
                                            "-2203000"),
     f"finance.csv: row {_line('finance.csv', 'E2532,2011-12,revenue_support_grant')} (E2532, 2011-12, revenue_support_grant): -2,203,000 breaks the "
     "rule 'revenue_support_grant >= 0'"),
    ("processed", "spending.csv", _drop_row("E2532,2010-11,central"),
     "spending.csv: no row for E2532 (East Lindsey), 2010-11, service 'central' (rule: every "
     "principal council has a row for every line of every year"),
    ("assumptions", "financing.yaml",
     lambda t: t.replace("    value: 0.048\n", "    value: -0.9\n", 1),
     "financing.yaml: key 'pwlb_rate_nominal': -0.9 is out of range (rule: an interest or "
     "discount rate, a fraction per year, 0 to 0.25)"),
    # 6: checked too late before
    ("processed", "finance.csv", None, "finance.csv: processed table not found"),
    ("processed", "spending.csv", None, "spending.csv: processed table not found"),
    ("processed", "england.csv", lambda t: t.replace("2010-11,education,", "2010-11,education,x", 1),
     "england.csv: row"),
    ("processed", "sources.json", lambda t: t[:200], "sources.json: not valid JSON"),
    ("processed", "sources.json", lambda t: '{"files": "none"}\n',
     "sources.json: 'files' is 'none', not a list"),
    ("processed", "spending.csv", _set_value("spending.csv", "E2532,2010-11,central", "inf"),
     "column 'gbp_thousand': inf is not a finite number"),
    ("assumptions", "programmes.yaml",
     lambda t: t.replace("  service.central.savings_rate:\n    value: 0.20\n",
                         "  service.central.savings_rate:\n    value: 20.0\n"),
     "programmes.yaml: key 'service.central.savings_rate': 20.0 is out of range (rule: a saving "
     "as a fraction of addressable spend a year, 0 to 1)"),
]


@pytest.mark.parametrize(("where", "fname", "edit", "needle"), DATA_CASES,
                         ids=[f"{c[1]}:{c[3][:40]}" for c in DATA_CASES])
def test_bad_data_or_assumptions_exit_2_before_any_kernel(tmp_path, monkeypatch, capsys,
                                                          where, fname, edit, needle):
    processed = copy_processed(tmp_path / "processed")
    assumptions = tmp_path / "assumptions"
    shutil.copytree(ROOT / "data" / "assumptions", assumptions)
    monkeypatch.setenv("SHAREDSERVICES_PROCESSED_DIR", str(processed))
    monkeypatch.setenv("SHAREDSERVICES_ASSUMPTIONS_DIR", str(assumptions))
    path = (processed if where == "processed" else assumptions) / fname
    if edit is None:
        path.unlink()
    else:
        text = path.read_text(encoding="utf-8")
        assert edit(text) != text
        path.write_text(edit(text), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(NB30), "-o", str(out / "report.html")]) == 2
    err = one_line_error(capsys)
    assert needle in err, err
    assert not out.exists()  # stopped before anything was written or any kernel started


def test_the_committed_data_passes_every_rule():
    from sharedservices.inputs import assumptions, data, data_rules

    data.validate_processed()
    data_rules.check_assumptions(assumptions.load_all())
    with open(PROCESSED / "finance.csv", newline="") as fh:  # a grant of 0 is legitimate
        rsg = [float(r["gbp_thousand"]) for r in csv.DictReader(fh)
               if r["item"] == "revenue_support_grant" and r["gbp_thousand"]]
    assert min(rsg) == 0.0


# --- 5 and 6. the notebook itself ----------------------------------------------------------

def _untag(path: Path) -> None:
    nbjson = json.loads(path.read_text())
    for cell in nbjson["cells"]:
        cell.get("metadata", {}).pop("tags", None)
    path.write_text(json.dumps(nbjson))


@pytest.mark.parametrize("command", ["run", "build"])
@pytest.mark.parametrize("damage", ["untagged", "not-json"])
def test_broken_notebook_exits_2_before_any_kernel(mini_project, capsys, command, damage):
    root = mini_project
    path = root / "notebooks" / "fx-report.ipynb"
    if damage == "untagged":
        _untag(path)
    else:
        path.write_text(path.read_text()[:500])  # cut short, as by a crashed save
    args = ["run", str(path), "-p", "scale", "3"] if command == "run" else ["build"]
    assert cli(root, *args) == 2
    err = one_line_error(capsys)
    assert "fx-report.ipynb" in err
    assert ("the first code cell is not tagged 'parameters'" if damage == "untagged"
            else "is not valid JSON") in err
    assert not (root / "reports" / publish.STAGING).exists()
    assert not list((root / "reports").rglob("*.html")) if (root / "reports").exists() else True


# --- 7. indexes out of step ------------------------------------------------------------------

@B
def test_index_cannot_be_replaced_and_a_noop_build_repairs_it(mini_project, capsys):
    root = mini_project
    reports = root / "reports"
    assert cli(root, "build") == 0
    index = (reports / "index.html").read_bytes()
    capsys.readouterr()
    assert cli(root, "run", nb(root), "-o", str(reports / "index.html")) == 2
    assert "the name 'index' is reserved" in one_line_error(capsys)
    assert (reports / "index.html").read_bytes() == index
    (reports / "index.html").write_text("<html>replaced by hand</html>")
    assert cli(root, "build") == 0
    assert "skipped" in capsys.readouterr().out
    assert (reports / "index.html").read_bytes() == index


@A
def test_a_report_removed_from_reports_yaml_leaves_the_index(mini_project, capsys):
    root = mini_project
    reports = root / "reports"
    write_reports_yaml(root, [{"name": "fx-a"}, {"name": "fx-b", "parameters": {"scale": 2.0}}])
    assert cli(root, "build", "-j", "2") == 0
    assert 'href="fx-b.html"' in (reports / "index.html").read_text()
    write_reports_yaml(root, [{"name": "fx-a"}])
    assert cli(root, "build") == 0
    page = (reports / "index.html").read_text()
    assert 'href="fx-a.html"' in page and "fx-b" not in page


@B
def test_interrupted_batch_leaves_an_index_of_what_it_published(project):  # noqa: F811
    root = project
    dest = root / "reports" / "councils"
    proc = subprocess.Popen([sys.executable, str(FX_BATCH), "--root", str(root), "batch",
                             "notebooks/fx-council.ipynb", "--councils", "E5011,E5014,E5030",
                             "-p", "sleep_for", "E5030", "-j", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while True:  # the third council sleeps; wait for the first two to be indexed
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            if (dest / "index.html").is_file():
                t = parse_index(dest / "index.html")
                if sum(f"{c}.html" in links for c in ("E5011", "E5014")
                       for links in t.links) == 2:
                    break
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 143 and err.strip().splitlines()[-1].startswith("error: terminated")
    published = {p.stem for p in dest.glob("E*.json")}
    t = parse_index(dest / "index.html")
    listed = {row[1] for row, links in zip(t.rows, t.links, strict=True)
              if f"{row[1]}.html" in links}
    assert published == listed == {"E5011", "E5014"}
    assert not (dest / publish.STAGING).exists()
    deadline = time.monotonic() + 60  # the warm workers and their kernels are stopped too
    while _processes_of(root) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _processes_of(root) == []


def test_council_index_shows_parameters_that_differ(project):  # noqa: F811
    dest = project / "reports" / "councils"
    dest.mkdir(parents=True)
    for code, mult in (("E5014", 1.0), ("E5030", 2.5)):  # E5030 rebuilt with -p ... 2.5
        (dest / f"{code}.html").write_text("<html></html>")
        publish.write_atomic(dest / f"{code}.json", json.dumps({
            "name": code, "status": "complete", "html_sha256": "", "files": {},
            "headlines": {}, "provenance": {"parameters": {
                "council": code, "scale": mult, "fail_for": ""}}}))
    page = councils_index_html(dest, "notebooks/fx-council.ipynb")
    shared = re.search(r"Parameters shared by every council: <code>(.*?)</code>", page).group(1)
    assert "scale" not in shared and 'fail_for = ""' in shared.replace("&#34;", '"')
    path = project / "index.html"
    path.write_text(page)
    t = parse_index(path)
    rows = {r[1]: r for r in t.rows}
    assert "scale = 1.0" in rows["E5014"] and "scale = 2.5" in rows["E5030"]


# --- 8. exported files checked against the manifest -----------------------------------------

@pytest.mark.parametrize(("fname", "damage"), [("growth-path.png", b""),
                                               ("growth-table.csv", b"year,index\n0,99\n")])
@A
def test_damaged_export_is_rebuilt(mini_project, capsys, fname, damage):
    root = mini_project
    reports = root / "reports"
    assert cli(root, "build") == 0
    m = json.loads((reports / "fx-a.json").read_text())
    (reports / "fx-a" / fname).write_bytes(damage)
    capsys.readouterr()
    assert cli(root, "build") == 0
    assert re.search(r"^built\s+fx-a", capsys.readouterr().out, re.M)
    sha = hashlib.sha256((reports / "fx-a" / fname).read_bytes()).hexdigest()
    assert sha == json.loads((reports / "fx-a.json").read_text())["files"][f"fx-a/{fname}"]
    assert sha == m["files"][f"fx-a/{fname}"]  # the same inputs give the same file


# --- 9. a failure link that no longer applies ------------------------------------------------

@B
def test_fixed_input_clears_the_failure_link(mini_project, capsys):
    root = mini_project
    reports = root / "reports"
    assert cli(root, "build") == 0
    write_reports_yaml(root, [{"name": "fx-a", "parameters": {"scale": 1.5, "fail": True}}])
    assert cli(root, "build") == 1
    assert "last build failed" in (reports / "index.html").read_text()
    write_reports_yaml(root, [{"name": "fx-a", "parameters": {"scale": 1.5}}])  # fixed
    capsys.readouterr()
    assert cli(root, "build") == 0
    assert re.search(r"^skipped\s+fx-a$", capsys.readouterr().out, re.M)
    assert not (reports / "_failed" / "fx-a.html").exists()
    assert "last build failed" not in (reports / "index.html").read_text()


# --- 10. tracebacks instead of one line --------------------------------------------------------

@pytest.mark.parametrize(("content", "needle"), [
    (b"scale: 1.5\nlabel: caf\xe9\n", "is not UTF-8 text (byte 0xe9 at position"),
    (b"scale: " + b"7" * 5000 + b"\n", "an integer of 5000 digits is too long at line"),
], ids=["not-utf8", "5000-digit-integer"])
@pytest.mark.parametrize("which", ["params-file", "reports.yaml"])
def test_unreadable_yaml_is_one_line(mini_project, capsys, content, needle, which):
    root = mini_project
    if which == "params-file":
        f = root / "p.yaml"
        f.write_bytes(content)
        assert cli(root, "run", nb(root), "-f", str(f)) == 2
    else:
        (root / "reports.yaml").write_bytes(b"reports:\n  - name: fx-a\n    title: T\n"
                                            b"    notebook: notebooks/fx-report.ipynb\n"
                                            b"    parameters: {" + content.strip().replace(
                                                b"\n", b", ") + b"}\n")
        assert cli(root, "build") == 2
    err = one_line_error(capsys)
    assert needle in err and "(allowed:" in err
    assert not (root / "reports").exists()


def _read_only(reports: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Make ``reports`` read-only: a real read-only bind mount where the test may mount,
    else every write below it fails with EROFS in this process."""
    if os.geteuid() == 0 and shutil.which("mount"):
        if subprocess.run(["mount", "--bind", str(reports), str(reports)],
                          capture_output=True).returncode == 0:
            if subprocess.run(["mount", "-o", "remount,bind,ro", str(reports)],
                              capture_output=True).returncode == 0:
                return "mount"
            subprocess.run(["umount", "-l", str(reports)], capture_output=True)
    real_open = os.open

    def ro_open(path, flags, *a, **kw):
        writing = flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
        if writing and str(Path(path).resolve()).startswith(str(reports.resolve())):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *a, **kw)

    monkeypatch.setattr(os, "open", ro_open)
    return "simulated"


@A
def test_read_only_reports_exit_4_even_for_a_noop_build(mini_project, capsys, monkeypatch):
    root = mini_project
    reports = root / "reports"
    assert cli(root, "build") == 0
    before = tree(reports)
    capsys.readouterr()
    how = _read_only(reports, monkeypatch)
    try:
        assert cli(root, "build") == 4
        err = one_line_error(capsys)
        assert "Read-only file system" in err and "(allowed: a writable directory" in err
    finally:
        if how == "mount":
            subprocess.run(["umount", "-l", str(reports)], capture_output=True)
    assert tree(reports) == before


def test_scheduler_that_is_not_an_address_exits_2_at_once(project, capsys):  # noqa: F811
    assert main(["--root", str(project), "batch", "notebooks/fx-council.ipynb", "--councils",
                 "E5014", "--scheduler", "not a url"]) == 2
    err = one_line_error(capsys)
    assert "--scheduler: 'not a url' is not a scheduler address" in err and "(allowed:" in err
    assert not (project / "reports").exists()


@pytest.mark.parametrize("where", ["reports/x.html", None])
def test_run_into_reports_takes_the_build_lock(mini_project, capsys, where):
    root = mini_project
    args = ["-o", str(root / where)] if where else []  # None: the default reports/adhoc/
    with publish.build_lock(root / "reports"):
        assert cli(root, "run", nb(root), *args) == 3
    assert "another build holds" in one_line_error(capsys)
    assert not (root / "reports" / "x.html").exists()
    assert not (root / "reports" / "adhoc").exists()


# --- 11. alias bombs and long values -------------------------------------------------------

def _bomb(levels: int, width: int = 9) -> str:
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return "\n".join(lines) + f"\nhorizon: *a{levels - 1}\n"


def test_alias_bomb_in_a_parameter_file_is_refused(tmp_path, capsys):
    f = tmp_path / "bomb.yaml"
    f.write_text(_bomb(6))  # 531,441 strings once expanded
    assert main(["run", str(NB30), "-f", str(f), "-o", str(tmp_path / "o.html")]) == 2
    err = one_line_error(capsys)
    assert "alias *a0 is not allowed at line 2" in err


@A
def test_alias_bomb_in_an_assumptions_file_is_refused(mini_project, capsys):
    root = mini_project
    body = "".join(f"      {line}\n" for line in _bomb(6, width=10).splitlines()[:-1])
    (root / "data" / "assumptions" / "bomb.yaml").write_text(
        f"title: Bomb\nvalues:\n  x:\n    value:\n{body}    unit: lol\n"
        "    source: suite assumption\n    quality: red\n    quality_note: a bomb\n")
    assert cli(root, "build") == 2
    err = one_line_error(capsys)
    assert "bomb.yaml: with its aliases expanded the document holds more than 100,000 " \
           "values at line" in err
    assert not (root / "reports" / "fx-a.html").exists()


@pytest.mark.parametrize(("args", "needle"), [
    (["-p", "council", "E" + "9" * 100_000], "(100001 characters) is not a council code"),
    (["-p", "horizon", "1" * 5000],
     "parameter 'horizon': 111111111111…111111111111 (5000 digits) is an integer too long"),
    (["-p", "c" * 100_000, "1"], "(100000 characters): unknown for notebook"),
])
def test_long_values_are_cut_in_the_message(tmp_path, capsys, args, needle):
    assert main(["run", str(NB30), *args, "-o", str(tmp_path / "o.html")]) == 2
    err = one_line_error(capsys)
    assert needle in err and "inf" not in err


# --- 12. SIGTERM ------------------------------------------------------------------------------

def _processes_of(root: Path) -> list[int]:
    """Live processes (workers, kernels) whose environment or command line names ``root``."""
    found = []
    needle = str(root).encode()
    for d in Path("/proc").iterdir():
        if not d.name.isdigit() or int(d.name) == os.getpid():
            continue
        try:
            if needle in (d / "environ").read_bytes() or needle in (d / "cmdline").read_bytes():
                state = (d / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    found.append(int(d.name))
        except OSError:
            continue
    return found


@B
def test_sigterm_stops_workers_and_kernels_and_exits_143(mini_project):
    root = mini_project
    write_reports_yaml(root, [{"name": "fx-slow", "parameters": {"sleep_seconds": 300}},
                              {"name": "fx-a"}])
    proc = subprocess.Popen([sys.executable, str(FX_CLI), "--root", str(root), "build",
                             "-j", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    staging = root / "reports" / publish.STAGING
    deadline = time.monotonic() + 180
    while not list(staging.glob("fx-slow-*/executed.ipynb")):  # its kernel is running cells
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.1)
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert err.count("\n") == 1 and err.startswith("error: terminated (SIGTERM)")
    deadline = time.monotonic() + 60  # a kernel whose worker was killed ends within seconds
    while _processes_of(root) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _processes_of(root) == []
    assert not staging.exists() and not (root / "reports" / "fx-slow.json").exists()
    with publish.build_lock(root / "reports"):
        pass


# --- 13. placeholders in titles ----------------------------------------------------------------

@A
def test_placeholder_words_in_a_title_are_shown_as_text(mini_project):
    root = mini_project
    title = "Council __SS_PROVENANCE__ and __SS_TOC__ <b>&</b> __SS_TITLE__"
    write_reports_yaml(root, [{"name": "fx-a", "title": title}])
    assert cli(root, "build") == 0
    page = (root / "reports" / "fx-a.html").read_text()
    shown = "Council __SS_PROVENANCE__ and __SS_TOC__ &lt;b&gt;&amp;&lt;/b&gt; __SS_TITLE__"
    assert f"<title>{shown}</title>" in page
    assert page.count('<h2 id="provenance">') == 1
    prov = page[page.index('<section class="ss-provenance">'):]
    assert prov.startswith('<section class="ss-provenance"><h2 id="provenance">Provenance</h2>')
    toc = re.search(r'<nav aria-label="Contents" class="ss-toc">(.*?)</nav>', page, re.S).group(1)
    assert 'href="#Growth-path"' in toc and "__SS" not in toc
    assert page.count("__SS_PROVENANCE__") == 2  # the <title> and the <h1>, as text


# --- 14. staging left behind; the README on negative numbers --------------------------------

@B
def test_no_staging_left_after_a_failed_run_or_ctrl_c(mini_project, tmp_path, capsys):
    root = mini_project
    out = tmp_path / "out"
    assert cli(root, "run", nb(root), "-p", "fail", "True", "-o", str(out / "f.html")) == 1
    assert not (out / publish.STAGING).exists() and (out / "_failed" / "f.html").is_file()
    write_reports_yaml(root, [{"name": "fx-slow", "parameters": {"sleep_seconds": 120}}])
    proc = subprocess.Popen([sys.executable, str(FX_CLI), "--root", str(root), "build"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    staging = root / "reports" / publish.STAGING
    deadline = time.monotonic() + 120
    while not list(staging.glob("fx-slow-*/executed.ipynb")):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and err.strip() == "error: interrupted"
    assert not staging.exists()


@A
def test_no_staging_left_after_exit_4(mini_project, capsys, monkeypatch):
    root = mini_project
    real_write = Path.write_text

    def full_disk(self: Path, *a, **kw):
        if self.name == "fx-a.json" and publish.STAGING in self.parts:
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real_write(self, *a, **kw)

    monkeypatch.setattr(Path, "write_text", full_disk)
    assert cli(root, "build") == 4
    assert "No space left on device" in one_line_error(capsys)
    assert not (root / "reports" / publish.STAGING).exists()


def test_readme_says_what_a_negative_number_after_p_does(capsys, tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    line = next(x for x in readme.split("\n\n") if "-p delay_years -1" in x)
    assert "read as the value" in line and "read by the command-line parser\nas an option" not in line
    assert main(["run", str(NB30), "-p", "delay_years", "-1", "-o", str(tmp_path / "o.html")]) == 2
    assert "parameter 'delay_years': -1 is out of range (allowed: finite number 0..10)" in \
        one_line_error(capsys)
    assert main(["run", str(NB30), "-p", "delay_years", "-1e3"]) == 2  # not a plain number
    assert "expected 2 arguments" in one_line_error(capsys)
