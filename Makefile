# De-escalation Tracker. `make run` serves the app with the Pakistan–Iran case; `make test` runs the suite
# on SQLite and then on a throwaway PostgreSQL.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
# Python >= 3.12 (Django 6). pyenv reads .python-version (3.13) at the project root.
PYTHON := $(shell for p in python3.13 python3.12 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo $$p; break; }; done)
CASES := fixtures/pakistan-iran-2024.json
PYTEST_ARGS ?=
# Python keeps compiled modules (and pytest its assert-rewritten test modules) in __pycache__/ (git ignores
# it) even where the environment says not to: without them every test process compiles the project and
# rewrites every test module again, seconds of CPU for each pytest-xdist worker.
unexport PYTHONDONTWRITEBYTECODE
# pytest-xdist workers for the test targets: `auto` is one per CPU core; WORKERS=0 runs in this process.
WORKERS ?= auto
BENCH_ARGS ?= --runs 5  # e.g. BENCH_ARGS='--runs 3 --scales 1,100 --databases sqlite'
# axe-core, the accessibility checker the browser tests run in each page: from npm, for the tests only
# (never served to users). The tests read it from AXE_CORE_JS.
AXE_CORE_VERSION := 4.11.0
AXE_CORE_JS := .cache/axe-core/node_modules/axe-core/axe.min.js
export AXE_CORE_JS

.PHONY: help run setup check test test-sqlite test-postgres lint bench stress clean

help:
	@echo "make run            set everything up, load the Pakistan–Iran case, serve on http://127.0.0.1:$(PORT)"
	@echo "                    with the report worker (manage.py report_worker) beside the server"
	@echo "                    (PORT=8080 for another port; the first run takes about 75 s: venv, packages, data)"
	@echo "make setup          the same without serving: venv, requirements, migrations, the case, demo accounts"
	@echo "make check          the quick loop: lint, then every test that needs no browser, no PDF and no real worker"
	@echo "                    processes (markers browser, pdf, workers: make test runs them), on SQLite,"
	@echo "                    in parallel (288 s on 2 cores, idle; prints how long it took)"
	@echo "make test           the whole suite, browser and PDF tests too, on SQLite, then on a throwaway PostgreSQL,"
	@echo "                    in parallel (20–31 min on 2 cores; WORKERS=2 for a number of processes)"
	@echo "make test-sqlite    the suite on SQLite only (PYTEST_ARGS='tests/reading/test_dashboard.py -x' to narrow it)"
	@echo "make test-postgres  the suite on a throwaway PostgreSQL only"
	@echo "make lint           ruff, and no model change without its migration (makemigrations --check)"
	@echo "make bench          time every page at 1×, 10×, 100× the data on SQLite and PostgreSQL (about 25 min;"
	@echo "                    BENCH_ARGS='--runs 3 --scales 1,100 --databases sqlite' for less); writes docs/performance.md"
	@echo "                    then 20 readers and 5 writing analysts for 60 s at 1× and 100× (bin/bench-crowd; CROWD_ARGS)"
	@echo "make stress         role matrix, 20 analysts x 50 assessments through gunicorn, fuzzing; both databases (not in make test)"
	@echo "make clean          remove .venv, caches and collected static files (the database is kept)"

$(VENV)/.python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "Python 3.12 or newer is needed (3.13 recommended): install it, e.g. 'pyenv install 3.13'." >&2; exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@touch $@

$(VENV)/.requirements: requirements.txt $(VENV)/.python
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.requirements-dev: requirements-dev.txt requirements.txt $(VENV)/.python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.requirements

setup: $(VENV)/.requirements
	@bin/system-packages runtime || echo "Warning: PDF reports need the packages above; everything else works."
	$(PY) manage.py migrate --verbosity 0
	$(PY) manage.py load_case $(CASES)
	$(PY) manage.py ensure_demo_accounts

run: setup
	@echo "Serving on http://127.0.0.1:$(PORT)/ with the report worker beside it, started again if it stops (Ctrl-C stops both);"
	@echo "links in mails and feeds point to SITE_URL (default: this address)"
	@export SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}"; \
	bin/keep-running $(PY) manage.py report_worker --no-startup-delay & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

$(AXE_CORE_JS):
	@command -v npm >/dev/null 2>&1 || bin/system-packages npm
	npm install --prefix .cache/axe-core --no-save --no-audit --no-fund --loglevel=error axe-core@$(AXE_CORE_VERSION)
	@test -f $@ && touch $@

# The quick loop while working: what needs neither Chromium nor WeasyPrint/Poppler (the markers `browser`
# and `pdf`) nor starts and kills real worker processes (the marker `workers`), on SQLite, with a fifth of each
# Hypothesis test's examples (HYPOTHESIS_PROFILE=check, tests/helpers.py). About 5 minutes on 2 cores.
check: $(VENV)/.requirements-dev
	@start=$$(date +%s); status=0; \
	$(MAKE) --no-print-directory lint || status=$$?; \
	if [ $$status -eq 0 ]; then \
		echo "== tests without browser, PDF or real worker processes, on SQLite"; \
		env -u DATABASE_URL HYPOTHESIS_PROFILE=check $(PY) -m pytest -n $(WORKERS) -m "not browser and not pdf and not workers" $(PYTEST_ARGS) || status=$$?; \
	fi; \
	echo "make check took $$(( $$(date +%s) - start )) s"; \
	exit $$status

test: $(VENV)/.requirements-dev
	bin/system-packages test
	@status=0; \
	$(MAKE) --no-print-directory test-sqlite || status=$$?; \
	$(MAKE) --no-print-directory test-postgres || status=$$?; \
	exit $$status

# Browser tests run in the same parallel run: each xdist worker has its own test database (pytest-django
# adds the worker's name to it) and its own live server.
test-sqlite: $(VENV)/.requirements-dev $(AXE_CORE_JS)
	@echo "== test suite on SQLite"
	env -u DATABASE_URL -u HYPOTHESIS_PROFILE $(PY) -m pytest -n $(WORKERS) $(PYTEST_ARGS)

test-postgres: $(VENV)/.requirements-dev $(AXE_CORE_JS)
	@echo "== test suite on PostgreSQL"
	env -u HYPOTHESIS_PROFILE bin/with-postgres $(PY) -m pytest -n $(WORKERS) $(PYTEST_ARGS)

bench: $(VENV)/.requirements-dev
	bin/system-packages test
	$(PY) bin/bench $(BENCH_ARGS) --output docs/performance.md
	$(PY) bin/bench-crowd $(CROWD_ARGS)

# Not part of `make test`: minutes of load. Prints "STRESS" lines with the figures (docs/invariants.md).
STRESS_FUZZ_EXAMPLES ?= 100
stress: $(VENV)/.requirements-dev
	@rm -f /tmp/tracker-fuzz-sqlite.jsonl /tmp/tracker-fuzz-postgresql.jsonl
	@set -o pipefail; status=0; \
	env -u DATABASE_URL $(PY) -m pytest stress -p no:cacheprovider -q -s -o testpaths=stress 2>&1 | grep -E "STRESS|passed|failed|Error" || status=1; \
	env -u DATABASE_URL FUZZ_EXAMPLES=$(STRESS_FUZZ_EXAMPLES) FUZZ_REPORT=/tmp/tracker-fuzz-sqlite.jsonl \
		$(PY) -m pytest tests/test_fuzz.py -p no:cacheprovider -q || status=1; \
	$(PY) stress/summary.py /tmp/tracker-fuzz-sqlite.jsonl sqlite; \
	bin/with-postgres $(PY) -m pytest stress -p no:cacheprovider -q -s -o testpaths=stress 2>&1 | grep -E "STRESS|passed|failed|Error" || status=1; \
	FUZZ_EXAMPLES=$(STRESS_FUZZ_EXAMPLES) FUZZ_REPORT=/tmp/tracker-fuzz-postgresql.jsonl \
		bin/with-postgres $(PY) -m pytest tests/test_fuzz.py -p no:cacheprovider -q || status=1; \
	$(PY) stress/summary.py /tmp/tracker-fuzz-postgresql.jsonl postgresql; \
	exit $$status

lint: $(VENV)/.requirements-dev
	$(VENV)/bin/ruff check .
	env -u DATABASE_URL $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) .pytest_cache staticfiles .cache
