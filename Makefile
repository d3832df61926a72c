# riskfund — `make demo` sets everything up and serves the admin; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
DEMO_USER ?= demo
DEMO_PASSWORD ?= riskfund-demo-2026
HOST ?= 127.0.0.1:8000

.PHONY: venv demo migrate test lint bench clean

$(BIN)/activate: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(BIN)/activate

venv: $(BIN)/activate

migrate: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py bootstrap

demo: migrate
	$(PY) manage.py load_demo --portfolio --user $(DEMO_USER) --password $(DEMO_PASSWORD)
	@echo ""
	@echo "  riskfund demo: http://$(HOST)/admin/   user: $(DEMO_USER)   password: $(DEMO_PASSWORD)"
	@echo "  API docs:      http://$(HOST)/api/v1/docs/"
	@echo ""
	$(PY) manage.py runserver $(HOST)

# two processes (pytest-xdist), one per core of the reference machine; TEST_WORKERS=0 runs in this process
TEST_WORKERS ?= 2
test: venv
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# every scale figure next to its bare baseline, in one run on PostgreSQL, written to BENCHMARKS.md (~30 min);
# the database (default riskfund_bench) is dropped and recreated: its name must contain "bench"
BENCH_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/riskfund_bench)
bench: venv
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py bench --out BENCHMARKS.md

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
