"""The dev plans printed by other programs: the PDFs of the producer matrix (tests/test_pdf_producers.py).

Each producer turns one dev plan (its DOCX, as an office would print it) into a PDF with a program that
installs from Debian or PyPI (``make pdf-tools`` installs the Debian ones when root). Outputs are cached
outside git in ``$HYCOMPLIANCE_CACHE`` (default ``~/.cache/hycompliance/producers``), keyed by a hash of the
input file, the producer's recipe and this file's version; a missing program makes that producer
unavailable with a reason, never a failure.

    python -m tests.producers              # build every available producer for every dev plan
    python -m tests.producers --list       # producers and why any is unavailable
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

RECIPE_VERSION = "1"
CACHE = Path(os.environ.get("HYCOMPLIANCE_CACHE", Path.home() / ".cache" / "hycompliance")) / "producers"
TIMEOUT = 300
CHROMIUM = "/usr/bin/chromium"
BREAK = " \\ "  # a forced line break in typst markup
TYPST_SPECIAL = re.compile(r"([\\#*_`$<>@=\[\]~/+.'\"-])")  # escaped to print as typed

# Fonts LibreOffice is asked to print with (family name as fontconfig knows it, the Debian package).
LIBREOFFICE_FONTS = {
    "lo-liberation": ("Liberation Serif", "fonts-liberation"),  # Liberation 1.x lacks ạ–ỹ: fallback glyphs
    "lo-times": ("Times New Roman", "fonts-liberation"),  # the usual office font, aliased by fontconfig
    "lo-dejavu": ("DejaVu Serif", "fonts-dejavu-core"),
    "lo-noto": ("Noto Serif", "fonts-noto-core"),
    "lo-texgyre": ("TeX Gyre Termes", "fonts-texgyre"),
}

HTML_STYLE = """<style>
body { font-family: 'Noto Serif', 'DejaVu Serif', serif; font-size: 13pt; max-width: 17cm; margin: 1.5cm auto; }
table { border-collapse: collapse; } td, th { border: 1px solid #000; padding: 2px 4px; vertical-align: top; }
table:first-of-type td { border: none; text-align: center; }
p { text-align: justify; margin: 0.3em 0; }
</style>"""


@dataclass(frozen=True)
class Producer:
    name: str
    needs: tuple[str, ...]  # programs (absolute paths or names on PATH) or python modules ("py:typst")
    build: Callable[[Path, Path, Path], None]  # (docx, out pdf, work dir)

    def missing(self) -> str | None:
        for need in self.needs:
            if need.startswith("py:"):
                try:
                    __import__(need[3:])
                except ImportError:
                    return f"python package {need[3:]} is not installed"
            elif shutil.which(need) is None:
                return f"{need} is not installed (make pdf-tools installs it as root)"
        return None


def _run(args: list[str], cwd: Path | None = None) -> None:
    done = subprocess.run(args, cwd=cwd, capture_output=True, timeout=TIMEOUT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed: {done.stderr.decode(errors='replace')[-400:]}")


# --- DOCX variants for LibreOffice ------------------------------------------------------------------------


def docx_variant(source: Path, target: Path, *, font: str | None, justify: bool) -> None:
    """A copy of ``source`` printed in ``font`` instead of its own, its plain paragraphs justified."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/styles.xml" and font:
                text = data.decode("utf-8")
                fonts = f'<w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:cs="{font}" w:eastAsia="{font}"/>'
                text = re.sub(r"<w:rPrDefault><w:rPr><w:rFonts [^>]*/>", f"<w:rPrDefault><w:rPr>{fonts}", text, count=1)
                text = text.replace("Times New Roman", font)  # the Normal style's font
                data = text.encode("utf-8")
            if item.filename == "word/document.xml" and justify:
                # body paragraphs only: a justified table cell ending in a line break is stretched
                parts = re.split(r"(<w:tbl>.*?</w:tbl>)", data.decode("utf-8"), flags=re.S)
                justified = '<w:p><w:pPr><w:jc w:val="both"/></w:pPr><w:r>'
                # and paragraphs without a manual line break (LibreOffice stretches a justified line
                # ending in one across the page: a known gap of the reader)
                data = "".join(
                    part if part.startswith("<w:tbl>") else re.sub(
                        r"<w:p><w:r>((?:(?!</w:p>).)*</w:p>)",
                        lambda m: m[0] if "<w:br/>" in m[1] else justified + m[1], part, flags=re.S)
                    for part in parts
                ).encode("utf-8")
            zout.writestr(item, data)


def _libreoffice(font: str | None, justify: bool) -> Callable[[Path, Path, Path], None]:
    def build(docx: Path, out: Path, work: Path) -> None:
        variant = work / docx.name
        docx_variant(docx, variant, font=font, justify=justify)
        profile = work / "lo-profile"
        _run([
            "soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
            "--convert-to", "pdf", "--outdir", str(work), str(variant),
        ])
        shutil.move(work / f"{docx.stem}.pdf", out)

    return build


# --- HTML and its printers --------------------------------------------------------------------------------


def docx_html(docx: Path, target: Path) -> None:
    """The plan as a web page (pandoc's DOCX reader), styled as a printed plan."""
    style = target.with_suffix(".style.html")
    style.write_text(HTML_STYLE, encoding="utf-8")
    _run(["pandoc", str(docx), "-s", "-t", "html5", "--metadata", f"title={docx.stem}", "-H", str(style), "-o", str(target)])
    # pandoc prints the metadata title as a heading: a web page's own title is not part of the plan
    text = re.sub(r'<header id="title-block-header">.*?</header>', "", target.read_text(encoding="utf-8"), flags=re.S)
    target.write_text(text, encoding="utf-8")


def _chromium(header_footer: bool) -> Callable[[Path, Path, Path], None]:
    def build(docx: Path, out: Path, work: Path) -> None:
        from playwright.sync_api import sync_playwright

        html = work / f"{docx.stem}.html"
        docx_html(docx, html)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(html.as_uri())
            page.pdf(path=str(out), format="A4", display_header_footer=header_footer, print_background=True,
                     margin={"top": "1.5cm", "bottom": "1.5cm", "left": "1cm", "right": "1cm"})
            browser.close()

    return build


def _wkhtmltopdf(docx: Path, out: Path, work: Path) -> None:
    html = work / f"{docx.stem}.html"
    docx_html(docx, html)
    _run(["wkhtmltopdf", "--quiet", "--enable-local-file-access", "--footer-center", "Trang [page]/[topage]",
          "--footer-font-size", "9", str(html), str(out)])


def _pandoc_xelatex(docx: Path, out: Path, work: Path) -> None:
    _run(["pandoc", str(docx), "-o", str(out), "--pdf-engine=xelatex", "-V", "mainfont=TeX Gyre Termes",
          "-V", "geometry:margin=2cm", "-V", "fontsize=12pt"], cwd=work)


def _fpdf2(docx: Path, out: Path, work: Path) -> None:
    from fpdf import FPDF

    html = work / f"{docx.stem}.html"
    docx_html(docx, html)
    body = re.search(r"<body[^>]*>(.*)</body>", html.read_text(encoding="utf-8"), flags=re.S)
    text = body.group(1) if body else ""
    # fpdf2's HTML subset: no header cells, no column groups, no line breaks inside a cell
    text = re.sub(r"<(/?)th\b", r"<\1td", re.sub(r"</?(?:thead|tbody|colgroup)>|<col [^>]*/>", "", text))
    text = re.sub(r"(<td[^>]*>)(.*?)(</td>)", lambda m: m[1] + m[2].replace("<br />", " ") + m[3], text, flags=re.S)
    pdf = FPDF(format="A4")
    fonts = Path("/usr/share/fonts/truetype/dejavu")
    pdf.add_font("DejaVuSerif", "", fonts / "DejaVuSerif.ttf")
    pdf.add_font("DejaVuSerif", "B", fonts / "DejaVuSerif-Bold.ttf")
    pdf.add_font("DejaVuSerif", "I", fonts / "DejaVuSerif-Italic.ttf")
    pdf.add_font("DejaVuSerif", "BI", fonts / "DejaVuSerif-BoldItalic.ttf")
    pdf.set_font("DejaVuSerif", size=11)
    pdf.add_page()
    pdf.write_html(text, font_family="DejaVuSerif")
    pdf.output(str(out))


def typst_markup(docx: Path) -> str:
    """The plan in typst markup: header as a borderless two-column grid, tables ruled, paragraphs as typed."""
    from hycompliance.ingest import read

    def esc(text: str) -> str:
        return TYPST_SPECIAL.sub(r"\\\1", text).replace("\n", BREAK)

    document = read(docx)
    out = ['#set page(paper: "a4", margin: 2cm)', '#set text(font: "Noto Serif", size: 12pt, lang: "vi")',
           "#set par(justify: true)", ""]
    header = [b.text for b in document.blocks if b.region == "header"]
    if header:
        # the reader gives the left column's lines, then the right's: the grid takes them row by row
        half = (len(header) + 1) // 2
        left, right = header[:half], header[half:] + [""] * (2 * half - len(header))
        cells = ", ".join(f"align(center)[{esc(t)}]" for pair in zip(left, right) for t in pair)
        out.append(f"#grid(columns: (1fr, 1.4fr), row-gutter: 8pt, {cells})\n")
    for block in document.blocks:
        if block.region == "header":
            continue
        if block.kind == "table":
            width = max(len(row) for row in block.rows)
            cells = ", ".join(
                f"[{esc(cell)}]" for row in block.rows for cell in (*row, *[""] * (width - len(row)))
            )
            out.append(f"#table(columns: {width}, {cells})\n")
        else:
            for line in block.text.split("\n"):
                out.append(esc(line) + "\n")
    return "\n".join(out)


def _typst(docx: Path, out: Path, work: Path) -> None:
    import typst

    source = work / f"{docx.stem}.typ"
    source.write_text(typst_markup(docx), encoding="utf-8")
    typst.compile(str(source), output=str(out), font_paths=["/usr/share/fonts/truetype"])


def _redistil(base: str, args: Callable[[Path, Path], list[str]]) -> Callable[[Path, Path, Path], None]:
    """Re-write another producer's PDF (Ghostscript pdfwrite, poppler's cairo)."""

    def build(docx: Path, out: Path, work: Path) -> None:
        _run(args(produce(PRODUCERS[base], docx), out))

    return build


PRODUCERS: dict[str, Producer] = {
    p.name: p
    for p in [
        Producer("lo-default", ("soffice",), _libreoffice(None, False)),
        *(Producer(name, ("soffice",), _libreoffice(font, name != "lo-liberation")) for name, (font, _) in LIBREOFFICE_FONTS.items()),
        Producer("chromium", (CHROMIUM, "pandoc", "py:playwright"), _chromium(False)),
        Producer("chromium-header-footer", (CHROMIUM, "pandoc", "py:playwright"), _chromium(True)),
        Producer("wkhtmltopdf", ("wkhtmltopdf", "pandoc"), _wkhtmltopdf),
        Producer("pandoc-xelatex", ("pandoc", "xelatex"), _pandoc_xelatex),
        Producer("typst", ("py:typst",), _typst),
        Producer("fpdf2", ("py:fpdf", "pandoc"), _fpdf2),
        Producer("ghostscript", ("gs", "soffice"), _redistil(
            "lo-times", lambda src, out: ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite", f"-sOutputFile={out}", str(src)])),
        Producer("pdftocairo", ("pdftocairo", "soffice"), _redistil(
            "lo-dejavu", lambda src, out: ["pdftocairo", "-pdf", str(src), str(out)])),
    ]
}


def cache_path(producer: Producer, docx: Path) -> Path:
    digest = hashlib.sha256()
    digest.update(docx.read_bytes())
    digest.update(f"{producer.name}/{RECIPE_VERSION}".encode())
    digest.update(Path(__file__).read_bytes())
    return CACHE / producer.name / f"{docx.stem}-{digest.hexdigest()[:16]}.pdf"


def produce(producer: Producer, docx: Path) -> Path:
    """The PDF of ``docx`` printed by ``producer``, from the cache or built now (raises if it cannot)."""
    target = cache_path(producer, docx)
    if target.exists():
        return target
    reason = producer.missing()
    if reason:
        raise RuntimeError(reason)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"hy-{producer.name}-") as work:
        partial = Path(work) / "out.pdf"
        producer.build(docx, partial, Path(work))
        shutil.move(partial, target)
    return target


def main(argv: list[str] | None = None) -> int:
    from tests.conftest import DEV, dev_names

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="list producers and why any is unavailable")
    parser.add_argument("--only", action="append", default=[], help="build only this producer (repeatable)")
    args = parser.parse_args(argv)
    for name, producer in PRODUCERS.items():
        if args.only and name not in args.only:
            continue
        reason = producer.missing()
        if args.list or reason:
            print(f"{name}: {reason or 'available'}", file=sys.stderr)
            continue
        for stem in dev_names():
            try:
                path = produce(producer, DEV / f"{stem}.docx")
            except Exception as exc:  # one producer failing must not stop the others
                print(f"{name}: {stem}: failed: {exc}", file=sys.stderr)
                continue
            print(f"{name}: {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
