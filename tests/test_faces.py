"""Judge once, render everywhere: on a demo scan, every face shows every cell alike.

The dashboard (and its drill-downs), the document page, ``matrix`` (table, CSV, HTML, XLSX) and ``report``
(HTML, XLSX, Markdown) are read back as a person would see them and compared, cell by cell, with values
this test derives itself from the stored cells: the verdict (a decision, else the machine's status, n/a
when the requirement does not bind the plan), the coverage percent ((covered + justified + ½ partial) over
what applies, references apart), each target's verdict from the two numbers, and the highlighted words.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from lxml import html as lhtml

from hycompliance.report import labels, report_output
from hycompliance.store import open_db
from hycompliance.web.app import create_app
from tests.browser.harness import client
from tests.conftest_db import ROOT

DECIDED = ("vanlam-kh-2023", "III.5.7", "justified")  # one reviewer decision, to see it counted everywhere
NUMBER = re.compile(r"\d+(?:\.\d{3})*(?:,\d+)?")


def _cli(*args: str, cwd: Path, status: int = 0) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), HYCOMPLIANCE_REVIEWER="Kiểm thử")
    done = subprocess.run([sys.executable, "-m", "hycompliance", *args], cwd=cwd, env=env, capture_output=True,
                          timeout=900)
    assert done.returncode == status, done.stderr.decode()
    return done


# --- what the cells must show, derived here -----------------------------------------------------------


def _pct(value: float | None) -> str:
    return "—" if value is None else (f"{value:.1f}%").replace(".", ",")


def _number(text: str) -> float | None:
    """The middle of the numbers written in a cell ("9,0 - 9,5" -> 9.25, "Khoảng 8%" -> 8)."""
    found = [float(n.replace(".", "").replace(",", ".")) for n in NUMBER.findall(text or "")]
    return sum(found[:2]) / len(found[:2]) if found else None


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    _cli("demo", "--out", str(out), "-j", "2", cwd=out)
    db = out / "coverage.db"
    _cli("review", DECIDED[0], DECIDED[1], "--status", DECIDED[2], "--note", "Đã giải trình", "--db", str(db), cwd=out)
    bad = out / "bad"
    bad.mkdir()
    (bad / "trống.txt").write_bytes(b"")  # a file that cannot be read: its error shows on the pages too
    _cli("scan", "--plan", str(ROOT / "corpora" / "87-KH-UBND-2023.txt"), "--db", str(db), str(bad), cwd=out,
         status=1)
    # the demo's own report.html and matrix.xlsx were written before the decision: write them again
    _cli("matrix", "--db", str(db), "-f", "html", "-o", str(out / "report.html"), cwd=out)
    _cli("matrix", "--db", str(db), "-f", "xlsx", "-o", str(out / "matrix.xlsx"), cwd=out)
    return out


@pytest.fixture(scope="module")
def expected(demo):
    """Per document: verdict, target verdicts and marked words of every cell; coverage percents."""
    con = sqlite3.connect(demo / "coverage.db")
    con.row_factory = sqlite3.Row
    rows = con.execute(
        "SELECT d.name AS doc, r.code, r.kind, m.status, m.applicable, m.evidence, m.targets, "
        "(SELECT rv.status FROM reviews rv WHERE rv.document_id = d.id AND rv.requirement = r.code "
        " ORDER BY rv.id DESC LIMIT 1) AS review "
        "FROM matches m JOIN documents d ON d.id = m.document_id JOIN requirements r ON r.id = m.requirement_id "
        "WHERE d.status = 'ok' AND r.active = 1").fetchall()
    con.close()
    docs: dict[str, dict] = {}
    for r in rows:
        final = r["review"] or (r["status"] if r["applicable"] else "n/a")
        evidence = json.loads(r["evidence"])
        marks = [[e["text"][s:t] for s, t in e["spans"]] for e in evidence]
        targets = []
        for t in json.loads(r["targets"]):
            mine, theirs = _number(t["plan"]), _number(t["province"])
            verdict = "unknown" if mine is None or theirs is None else (
                "higher" if mine > theirs else "lower" if mine < theirs else "equal")
            targets.append((t["period"], verdict))
        cell = {"final": final, "kind": r["kind"], "marks": marks, "targets": targets,
                "words": list(dict.fromkeys(w for e in evidence for w in e.get("words", []))),
                "evidence": [(e["text"], e.get("words", []), m) for e, m in zip(evidence, marks)]}
        docs.setdefault(r["doc"], {})[r["code"]] = cell
    out = {}
    for name, cells in docs.items():
        def percent(kinds):
            finals = [c["final"] for c in cells.values() if (c["kind"] == "reference") == kinds]
            applicable = [f for f in finals if f != "n/a"]
            met = sum(1 for f in applicable if f in ("covered", "justified")) + 0.5 * applicable.count("partial")
            return round(100 * met / len(applicable), 1) if applicable else None
        out[name] = {"cells": cells, "percent": percent(False), "references": percent(True)}
    return out


def test_the_oracle_saw_what_matters(expected):
    assert set(expected) == {"phucu-kh-2023", "soct-kh-2023", "sokhcn-kh-2023", "vanlam-kh-2023"}
    finals = {c["final"] for d in expected.values() for c in d["cells"].values()}
    assert {"covered", "missing", "justified"} <= finals
    assert any(c["targets"] for d in expected.values() for c in d["cells"].values())
    assert any(m for d in expected.values() for c in d["cells"].values() for m in c["marks"])
    assert expected[DECIDED[0]]["cells"][DECIDED[1]]["final"] == "justified"


def test_stored_target_verdicts_agree_with_the_numbers(demo, expected):
    con = sqlite3.connect(demo / "coverage.db")
    stored = {(d, c): [(t["period"], t["verdict"]) for t in json.loads(targets)] for d, c, targets in con.execute(
        "SELECT d.name, m.requirement, m.targets FROM matches m JOIN documents d ON d.id = m.document_id")}
    con.close()
    for doc, data in expected.items():
        for code, cell in data["cells"].items():
            assert stored[(doc, code)] == cell["targets"], (doc, code)


def test_highlighted_words_are_the_shared_words(expected):
    """Every shared word is written in its clause (abbreviations written out with rules/abbreviations.yaml),
    and every mark is such a word or an abbreviation that stands for one."""
    import yaml

    from hycompliance.normalize import fold

    abbreviations = yaml.safe_load((ROOT / "hycompliance" / "rules" / "abbreviations.yaml").read_text(encoding="utf-8"))
    checked = 0
    for data in expected.values():
        for cell in data["cells"].values():
            if cell["kind"] == "reference":  # a cited document is marked as written
                assert all(marks == [text.split(" — ")[0]] for text, _, marks in cell["evidence"] if marks), cell
                continue
            for text, words, marks in cell["evidence"]:
                written = text
                for short, full in sorted(abbreviations.items(), key=lambda kv: -len(kv[0])):
                    written = re.sub(rf"(?<![\w&/-]){re.escape(short)}(?![\w&-])", str(full), written)
                for w in words:
                    assert fold(w) in fold(written), (w, text)
                for m in marks:
                    meaning = fold(str(abbreviations.get(m, m)))
                    assert any(fold(w) in meaning or meaning in fold(w) for w in words), (m, words)
                checked += len(words)
    assert checked


# --- the faces -----------------------------------------------------------------------------------


STATUS_WORD = {v: k for k, v in labels.STATUS.items()}
COMPARE_WORD = {v: k for k, v in labels.COMPARE.items()}


def _text(node) -> str:
    return " ".join(node.text_content().split())


@pytest.fixture(scope="module")
def web(demo):
    return client(create_app(demo / "coverage.db"))


@pytest.fixture(scope="module")
def ids(demo):
    con = sqlite3.connect(demo / "coverage.db")
    out = dict(con.execute("SELECT name, id FROM documents WHERE status = 'ok'"))
    con.close()
    return out


@pytest.fixture(scope="module")
def outputs(demo, ids):
    """Every file the CLI writes, once: matrix as a table and CSV; each document's report in three forms."""
    db = str(demo / "coverage.db")
    out = {"table": _cli("matrix", "--db", db, cwd=demo).stdout.decode(),
           "csv": _cli("matrix", "--db", db, "-f", "csv", cwd=demo).stdout.decode()}
    database = open_db(db)  # ``report`` is a thin command over report_output: called here, it is quicker
    for name in ids:
        for fmt in ("html", "md", "xlsx"):
            path = demo / f"{name}.{fmt}"
            content = report_output(database, name, fmt)
            path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content, encoding="utf-8")
            out[(name, fmt)] = path
    database.close()
    return out


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_coverage_percent_is_the_same_on_every_face(demo, expected, web, ids, outputs):
    db = str(demo / "coverage.db")
    want = {d: _pct(v["percent"]) for d, v in expected.items()}
    # dashboard heatmap: the last column of each document's row
    page = lhtml.fromstring(web.get("/").text)
    dash = {_text(tr.xpath("./th")[0]): _text(tr.xpath("./td[contains(@class,'total')]")[0])
            for tr in page.xpath("//table[@class='heatmap']/tbody/tr")}
    assert dash == want
    # the document page's first card
    for name, doc_id in ids.items():
        card = lhtml.fromstring(web.get(f"/documents/{doc_id}").text).xpath("//section[@class='cards']/div[1]/b")[0]
        assert _text(card) == want[name], name
    # matrix: terminal table, HTML (the demo's report.html), XLSX
    table = outputs["table"]
    terminal = {cols[0]: cols[-1] for line in table.splitlines()
                if (cols := [c.strip() for c in line.strip("│ ").split("│")]) and cols[0] in want}
    assert terminal == want
    matrix_html = lhtml.fromstring((demo / "report.html").read_text(encoding="utf-8"))
    assert {_text(tr.xpath("./th")[0]): _text(tr.xpath("./td[contains(@class,'total')]")[0])
            for tr in matrix_html.xpath("//tr[@class='heat-row']")} == want
    sheet = openpyxl.load_workbook(demo / "matrix.xlsx")["Theo nhóm"]
    top = int(sheet.print_title_rows.split(":")[0].lstrip("$"))
    xlsx = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=sheet.max_column).value
            for r in range(top + 1, sheet.max_row + 1)}
    assert {d: None if v is None else round(100 * v, 1) for d, v in xlsx.items()} == {
        d: v["percent"] for d, v in expected.items()}
    # report: HTML, Markdown, XLSX
    for name in want:
        report = lhtml.fromstring(_read(outputs[(name, "html")]))
        assert _text(report.xpath("//*[@id='coverage']")[0]) == want[name]
        assert _text(report.xpath("//*[@id='reference-coverage']")[0]) == _pct(expected[name]["references"])
        md = _read(outputs[(name, "md")])
        assert f"**{labels.COLUMN['coverage']}: {want[name]}**" in md
        summary = openpyxl.load_workbook(outputs[(name, "xlsx")])["Tổng hợp"]
        top = int(summary.print_title_rows.split(":")[0].lstrip("$"))
        values = {summary.cell(row=r, column=1).value: summary.cell(row=r, column=2).value
                  for r in range(top + 1, summary.max_row + 1)}
        assert round(100 * values[labels.COLUMN["coverage"]], 1) == expected[name]["percent"]
    # CSV: the percent follows from its status words
    rows = list(csv.DictReader(io.StringIO(outputs["csv"])))
    for name, data in expected.items():
        finals = [STATUS_WORD[r[labels.COLUMN["status"]]] for r in rows
                  if r[labels.COLUMN["document"]] == name and data["cells"][r[labels.COLUMN["requirement"]]]["kind"]
                  != "reference"]
        applicable = [f for f in finals if f != "n/a"]
        met = sum(f in ("covered", "justified") for f in applicable) + 0.5 * applicable.count("partial")
        assert round(100 * met / len(applicable), 1) == data["percent"]


def _faces_of_cells(web, ids, outputs, name):
    """status word per requirement code, as each face shows it for one document."""
    faces: dict[str, dict[str, str]] = {}
    page = lhtml.fromstring(web.get(f"/documents/{ids[name]}").text)
    faces["document page"] = {a.get("id")[4:]: _text(a.xpath(".//header//span[contains(@class,'chip')]")[0])
                              for a in page.xpath("//article[starts-with(@id,'req-')]")}
    faces["document page"].update({tr.get("id")[4:]: _text(tr.xpath(".//span[contains(@class,'chip')]")[0])
                                   for tr in page.xpath("//tr[starts-with(@id,'req-')]")})
    report = lhtml.fromstring(_read(outputs[(name, "html")]))
    faces["report html"] = {tr.get("id")[4:]: _text(tr.xpath("./td[starts-with(@class,'s-')]")[0]).split(
        labels.SUSPECT)[0].split(labels.MACHINE)[0].strip() for tr in report.xpath("//tr[starts-with(@id,'req-')]")}
    md = _read(outputs[(name, "md")])
    faces["report md"] = {cols[0]: cols[1].split(" (")[0] for line in md.splitlines() if line.startswith("| ")
                          and (cols := [c.strip() for c in line.strip("|").split("|")])[1].split(" (")[0] in STATUS_WORD
                          and cols[0] not in STATUS_WORD}
    wb = openpyxl.load_workbook(outputs[(name, "xlsx")])
    faces["report xlsx"] = {}
    for sheet, col in (("Yêu cầu", 3), ("Pháp chế", 2)):
        ws = wb[sheet]
        top = int(ws.print_title_rows.split(":")[0].lstrip("$"))
        for r in range(top + 1, ws.max_row + 1):
            if ws.cell(row=r, column=col).value in STATUS_WORD:
                faces["report xlsx"][ws.cell(row=r, column=1).value] = ws.cell(row=r, column=col).value
    return faces


def test_every_cell_shows_the_same_verdict_everywhere(demo, expected, web, ids, outputs):
    matrix_faces: dict[str, dict[tuple[str, str], str]] = {"dashboard": {}}
    groups = lhtml.fromstring(web.get("/").text).xpath("//table[@class='heatmap']/thead//a/@href")
    assert groups
    for href in groups:
        for a in lhtml.fromstring(web.get(href.split("#")[0]).text).xpath("//a[@data-req]"):
            doc, code = a.get("data-req").split("|", 1)
            matrix_faces["dashboard"][(doc, code)] = _text(a).replace("↻", "").strip()
    matrix_html = lhtml.fromstring((demo / "report.html").read_text(encoding="utf-8"))
    matrix_faces["matrix html"] = {tuple(td.get("data-cell").split("|", 1)): _text(td).split(
        labels.STALE)[0].rstrip(" !") for td in matrix_html.xpath("//td[@data-cell]")}
    ws = openpyxl.load_workbook(demo / "matrix.xlsx")["Ma trận"]
    top = int(ws.print_title_rows.split(":")[0].lstrip("$"))
    names = [ws.cell(row=top, column=j).value for j in range(4, ws.max_column + 1)]
    matrix_faces["matrix xlsx"] = {(d, ws.cell(row=r, column=1).value): ws.cell(row=r, column=4 + j).value
                                   for r in range(top + 1, ws.max_row + 1) for j, d in enumerate(names)}
    rows = csv.DictReader(io.StringIO(outputs["csv"]))
    matrix_faces["csv"] = {(r[labels.COLUMN["document"]], r[labels.COLUMN["requirement"]]): r[labels.COLUMN["status"]]
                           for r in rows}
    want = {(d, code): labels.STATUS[c["final"]] for d, data in expected.items() for code, c in data["cells"].items()}
    for face, shown in matrix_faces.items():
        assert shown == want, face
    for name, data in expected.items():
        for face, shown in _faces_of_cells(web, ids, outputs, name).items():
            assert shown == {code: labels.STATUS[c["final"]] for code, c in data["cells"].items()}, (face, name)


def test_targets_and_highlights_are_the_same_everywhere(expected, web, ids, outputs):
    rows = list(csv.DictReader(io.StringIO(outputs["csv"])))
    csv_targets = {(r[labels.COLUMN["document"]], r[labels.COLUMN["requirement"]]): r[labels.COLUMN["targets"]]
                   for r in rows}
    csv_words = {(r[labels.COLUMN["document"]], r[labels.COLUMN["requirement"]]): r[labels.COLUMN["words"]]
                 for r in rows}
    compared = marked = 0
    for name, data in expected.items():
        want_targets = {code: [(p, labels.COMPARE[v]) for p, v in c["targets"]] for code, c in data["cells"].items()
                        if c["targets"]}
        page = lhtml.fromstring(web.get(f"/documents/{ids[name]}").text)
        report = lhtml.fromstring(_read(outputs[(name, "html")]))
        md = _read(outputs[(name, "md")])
        shown_page: dict[str, list] = {}
        for tr in page.xpath("//h2[@id='targets']/following-sibling::table[1]//tr[td]"):
            tds = tr.xpath("./td")
            if len(tds) == 6 and tds[5].get("class", "").startswith("cmp-"):
                shown_page.setdefault(_text(tds[0]), []).append((_text(tds[2]), _text(tds[5])))
        shown_report: dict[str, list] = {}
        for tr in report.xpath("//tr[@class='target']"):
            tds = tr.xpath("./td")
            shown_report.setdefault(tr.get("data-req"), []).append((_text(tds[2]), _text(tds[5])))
        shown_md: dict[str, list] = {}
        for line in md.split(f"## {labels.HEADING['targets']}", 1)[1].split("## ", 1)[0].splitlines():
            cols = [c.strip() for c in line.strip("|").split("|")]
            if len(cols) == 6 and cols[5] in COMPARE_WORD:
                shown_md.setdefault(cols[0], []).append((cols[2], cols[5]))
        for face, shown in (("document page", shown_page), ("report html", shown_report), ("report md", shown_md)):
            assert shown == want_targets, (face, name)
        for code, targets in want_targets.items():
            assert csv_targets[(name, code)] == "; ".join(f"{p}: {w}" for p, w in targets)
            compared += len(targets)
        # highlighted words: the document page and the HTML report mark exactly the stored spans
        for code, cell in data["cells"].items():
            want_marks = [m for ms in cell["marks"] for m in ms]
            article = page.xpath(f"//article[@id='req-{code}']")
            if article:
                assert [_text(m) for m in article[0].xpath(".//blockquote//mark")] == [" ".join(m.split()) for m in want_marks], (name, code)
            row = report.xpath(f"//tr[@id='req-{code}']")
            assert [_text(m) for m in row[0].xpath(".//div[@class='evidence']//mark")] == [
                " ".join(m.split()) for m in want_marks], (name, code)
            md_row = next((line for line in md.splitlines() if line.startswith(f"| {re.escape(code)} |")
                           or line.startswith(f"| {code} |")), None)
            if md_row is not None and cell["kind"] != "reference":
                bold = [b for b in re.findall(r"\*\*(.+?)\*\*", md_row)]
                assert [re.sub(r"\\(.)", r"\1", b) for b in bold] == [" ".join(m.split()) for m in want_marks], (name, code)
            assert csv_words[(name, code)] == ", ".join(cell["words"])
            marked += len(want_marks)
    assert compared and marked


# --- no English for people ---------------------------------------------------------------------------

# English words a Vietnamese page must not show (none is also a Vietnamese syllable written without marks).
ENGLISH = frozenset("""
the is are was were been being of and or not with from this that these those for by at as its into than then
there here which who what when where why how all any each every some none null true false yes
file files error errors warning warnings empty damaged encrypted unsupported expected extension content database
internal please limit larger text binary encoding recognised recognized structure sections items bullets
catalogue invalid such give name path run scan scanned upload uploaded failed done queued scanning sign login
logout password user users role admin viewer reviewer reviewers review reviewed reviews decision decisions
document documents requirement requirements status score plan plans parent evidence stale suspect applicable
found unknown higher lower equal covered partial missing justified cited correctly time times clause clauses
target targets period province comparison legal findings finding severity info code message written match
matches shared words similar nearest nothing references reference key keys count page pages coverage matrix
heatmap group groups summary export download print search results result show hide open close save cancel
submit back home dashboard table column row rows value values date issuer number title kind district commune
agency wrong symbol format ambiguous conflicting required deadline before after repeated label kept under
layer scanned unreadable report reports
""".split())
ASCII_WORD = re.compile(r"(?<!\w)[A-Za-z]+(?!\w)")


def _english(text: str, allowed: set[str]) -> set[str]:
    found = {w.lower() for w in ASCII_WORD.findall(text or "")} & ENGLISH
    if "n/a" in (text or ""):
        found.add("n/a")
    return found - allowed


def _visible(page: str) -> str:
    root = lhtml.fromstring(page)
    for node in root.xpath("//script|//style"):
        node.drop_tree()
    return " ".join([root.text_content()] + root.xpath("//@title|//@placeholder|//@aria-label|//@alt"))


def _workbook_text(path: Path) -> str:
    wb = openpyxl.load_workbook(path)
    return " ".join([" ".join(wb.sheetnames)] + [str(c.value) for ws in wb for row in ws.iter_rows() for c in row
                                                 if c.value is not None and not isinstance(c.value, (int, float))])


def test_no_english_word_on_any_page_or_file(demo, web, ids, outputs):
    db = demo / "coverage.db"
    con = sqlite3.connect(db)
    # words of the plans themselves (evidence quotes them) and of file names may be anything
    sources = [r[0] or "" for r in con.execute(
        "SELECT text FROM clauses UNION ALL SELECT text FROM requirements UNION ALL SELECT as_written FROM citations "
        "UNION ALL SELECT name || ' ' || path || ' ' || coalesce(title, '') || ' ' || coalesce(issuer, '') "
        "FROM documents UNION ALL SELECT coalesce(title, '') || ' ' || path FROM plans "
        "UNION ALL SELECT coalesce(as_written, '') FROM findings "
        # codes shown beside the words: clause IDs ("title"), finding codes ("wrong_date")
        "UNION ALL SELECT clause_id FROM clauses UNION ALL SELECT code FROM findings")]
    failed = con.execute("SELECT id FROM documents WHERE status = 'error'").fetchone()[0]
    con.close()
    allowed = {w.lower() for text in sources for w in ASCII_WORD.findall(text)}
    allowed |= {w.lower() for text in sources for w in re.findall(r"\w+", text) if "_" in w}
    faces: dict[str, str] = {}
    pages = ["/", "/?group=III.1", "/?status=missing", "/?reviewed=yes", "/requirements", "/requirements/III.1.1",
             "/requirements/29-NQ/TW", "/search?q=chuyen+doi+so", "/upload", "/users"]
    pages += [f"/documents/{i}" for i in [*ids.values(), failed]] + [f"/documents/{i}/report" for i in ids.values()]
    for path in pages:
        response = web.get(path)
        assert response.status_code == 200, path
        faces[path] = _visible(response.text)
    faces["matrix html"] = _visible((demo / "report.html").read_text(encoding="utf-8"))
    faces["matrix xlsx"] = _workbook_text(demo / "matrix.xlsx")
    faces["matrix csv"] = outputs["csv"]
    faces["matrix table"] = outputs["table"]
    for name in ids:
        faces[f"{name}.html"] = _visible(_read(outputs[(name, "html")]))
        faces[f"{name}.md"] = _read(outputs[(name, "md")]).replace("\\_", "_")  # Markdown escapes a code's "_"
        faces[f"{name}.xlsx"] = _workbook_text(outputs[(name, "xlsx")])
    database = open_db(str(db))
    faces["failed report"] = report_output(database, "trống", "md")
    database.close()
    leaks = {face: sorted(words) for face, text in faces.items() if (words := _english(text, allowed))}
    assert leaks == {}, "\n".join(f"{face}: {w}: ...{text[max(0, text.find(' ' + w) - 60):text.find(' ' + w) + 40]}..."
                                  for face, words in leaks.items() for w in words[:3] if (text := faces[face]))
    assert "E102 tệp rỗng" in faces[f"/documents/{failed}"] and "E102 tệp rỗng" in faces["failed report"]


def test_the_word_check_finds_english():
    assert _english("87/KH-UBND is cited 7 time(s), correctly", set()) == {"is", "cited", "time", "correctly"}
    assert _english("Đã đáp ứng; không áp dụng; Kế hoạch 87/KH-UBND", set()) == set()
    assert _english("covered, n/a", set()) == {"covered", "n/a"}
