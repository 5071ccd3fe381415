# Two commands: `make run` (the app with demo data) and `make test` (the suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
# Test processes: one per core (pytest-xdist); TEST_WORKERS=0 runs in this process.
TEST_WORKERS ?= auto

.PHONY: run test install migrate seed lint format e2e clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

# Local development settings, read by manage.py (variables in the environment win).
.env:
	printf '# Local development settings: read by manage.py, the web server, worker and beat.\n# Variables set in the environment win. Production: see deploy/.env.example.\nDEBUG=1\n' > .env

migrate: install .env
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

## run: install, migrate, seed the demo, start web + Celery worker + beat.
run: seed
	@echo ""
	@echo "  Mentoring is starting at http://127.0.0.1:$(PORT)/"
	@echo "  Sign in as hr@ / owner@ / mentor@ / mentee@demo.example, password demo-pass-123"
	@echo "  (Ctrl-C stops web, worker and beat.)"
	@echo ""
	PORT=$(PORT) PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

## test: the whole suite (SQLite + embedded broker unless DATABASE_URL / CELERY_BROKER_URL are set).
test: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo   # the layers in pyproject.toml: every import points down

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf var/ .pytest_cache
