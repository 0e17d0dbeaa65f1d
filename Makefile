# The two commands: `make run` (the whole product, no services needed) and
# `make test` (the whole suite). Both create .venv and install what they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The browser tests' JavaScript tools (axe-core), pinned by package-lock.json.
NODE_STAMP := node_modules/.package-lock.json

.PHONY: run test lint format translations messages migrate seed clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Without npm the suite still runs; the axe-core tests then skip (fail under REQUIRE_SERVICES=1).
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm is missing (apt-get install npm): the axe-core tests will skip"; fi

translations: $(STAMP)
	$(PY) -m helpdesk.translations

run: export DEBUG ?= 1
run: $(STAMP) translations
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Serving http://127.0.0.1:8000 (web, Celery worker and beat; Ctrl-C stops all)"
	$(VENV)/bin/honcho -f Procfile.dev start

test: $(STAMP) translations $(NODE_STAMP)
	$(PY) -m pytest -n auto $(PYTEST_ARGS)

# mypy's django-stubs plugin imports helpdesk.settings, which needs a SECRET_KEY
# unless DEBUG is on: DEBUG=1 gives it the development key for that command only.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(VENV)/bin/mypy accounts helpdesk notifications sla tickets kb
	$(VENV)/bin/lint-imports
	$(PY) -m lint.function_imports

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: $(STAMP)
	$(PY) manage.py makemessages -l pt_BR --ignore=.venv --ignore=var --no-obsolete

clean:
	rm -rf $(VENV) var db.sqlite3
