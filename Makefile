# Set-up and the two everyday jobs. `make demo` and `make test` each install what they need first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEBIAN_PACKAGES := libreoffice-writer-nogui fonts-crosextra-carlito fonts-crosextra-caladea \
	fonts-liberation2 poppler-utils libnss3-tools chromium

.PHONY: demo test install system-packages benchmark templates clean-output

# PDFs when LibreOffice is there (system-packages installs it when run as root).
PDF = $(if $(shell command -v soffice),--pdf,)
# The demo's day (default today): documents are dated on it, the audit judges on it, and the example RMM
# exports are written for it (build/example-exports/), so one device is stale on any day the demo runs.
DEMO_DATE ?= $(shell date +%F)
ON = --as-of $(DEMO_DATE)
EXPORTS = build/example-exports

demo: install
	$(BIN)/mspdocs -w . clauses lint
	$(BIN)/mspdocs -w . generate baa --all $(ON) $(PDF)
	$(BIN)/mspdocs -w . generate agreement --all --jobs 2 $(ON) $(PDF)
	$(BIN)/mspdocs -w . generate risk-letter --all $(ON) $(PDF)
	$(BIN)/mspdocs -w . generate insurance-notice --all $(ON) $(PDF)
	$(BIN)/mspdocs -w . generate clause-book $(ON) $(PDF)
	$(BIN)/python scripts/example_exports.py $(ON) $(EXPORTS)
	$(BIN)/mspdocs -w . evidence import $(EXPORTS)/device-list-export.csv \
		--mapping examples/evidence/device-list.mapping.yaml
	$(BIN)/mspdocs -w . evidence import $(EXPORTS)/endpoint-inventory-export.csv \
		--mapping examples/evidence/endpoint-inventory.mapping.yaml
	$(BIN)/mspdocs -w . generate qbr-agenda --all $(ON) $(PDF)
	$(if $(PDF),$(BIN)/mspdocs -w . generate qbr-packet --all --jobs 2 $(ON),@echo "skipped qbr-packet: it needs LibreOffice")
	rm -f reports/audit.html
	$(BIN)/mspdocs -w . audit $(ON) --format html -o reports/audit.html || test $$? -eq 1
	@echo "the owner's audit: reports/audit.html (exit status 1 above means it found gaps)"
	$(BIN)/mspdocs -w . register verify

test: install
	$(BIN)/python -m pytest

benchmark: install
	$(BIN)/python benchmarks/agreement_throughput.py
	$(BIN)/python benchmarks/pdf_throughput.py
	$(BIN)/python benchmarks/qbr_throughput.py
	$(BIN)/python benchmarks/audit_speed.py

install: system-packages $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

# LibreOffice (docx -> PDF), metric-compatible fonts, poppler, certutil and Chromium (the audit page's browser test),
# from Debian when any is missing and we are root.
system-packages:
	@if command -v soffice >/dev/null && command -v pdftoppm >/dev/null && command -v certutil >/dev/null \
			&& fc-list | grep -qi carlito && command -v chromium >/dev/null; then \
		true; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEBIAN_PACKAGES); \
	else \
		echo "warning: install $(DEBIAN_PACKAGES) for PDF output and the browser test (needs root)" >&2; \
	fi

templates: install
	$(BIN)/python scripts/build_templates.py

clean-output:
	find output -mindepth 1 ! -name .gitkeep -delete
