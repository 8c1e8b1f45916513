# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := DEBUG=$${DEBUG-true} $(PY) manage.py

.PHONY: run test venv setup lint bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

# Migrate, load Hanoi's units, seed demo data on an empty database, compute progress.
setup: venv
	mkdir -p var
	$(MANAGE) migrate --noinput
	$(MANAGE) load_admin_units --province 01
	$(MANAGE) seed_demo --if-empty
	$(MANAGE) create_demo_users
	$(MANAGE) recompute_progress

run: setup
	$(PY) scripts/run_portal.py

test: venv
	$(PY) -m pytest

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: venv
	$(PY) bench/run.py

clean:
	rm -rf var
