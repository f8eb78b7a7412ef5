# 微心愿 — developer commands. `make run` and `make test` are all a new machine needs.
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# Django 6.1 needs Python >= 3.12: take the first such interpreter on this machine.
FIND_PYTHON := for p in python3.13 python3.12 python3.14 \
	$$HOME/.pyenv/versions/3.13*/bin/python3 $$HOME/.pyenv/versions/3.12*/bin/python3 \
	/usr/local/bin/python3.13 /usr/local/bin/python3.12 python3; do \
	  if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; \
	  then command -v $$p; break; fi; done

.PHONY: help run test lint format migrations-check seed messages bench check audit clean

help:
	@echo "make run    — set up .venv, migrate, load demo data and serve on http://$(HOST):$(PORT)/"
	@echo "make test   — set up .venv and run the whole test suite (PostgreSQL if DATABASE_URL is set)"
	@echo "make lint | format | migrations-check | seed | messages | bench | audit | clean"

$(PY):
	@python="$$($(FIND_PYTHON))"; \
	if [ -z "$$python" ]; then \
	  echo "需要 Python 3.12 或更高版本 (Django 6.1 needs Python >= 3.12)."; \
	  echo "Install one (e.g. 'pyenv install 3.13' or your OS package) and run make again."; \
	  exit 1; \
	fi; \
	echo "Creating $(VENV) with $$python ($$($$python -V))"; \
	$$python -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

run: $(VENV)/.installed
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo
	@echo ""
	@echo "  微心愿 is running at http://$(HOST):$(PORT)/   (admin: http://$(HOST):$(PORT)/admin/)"
	@echo "  Demo logins (password: microwish-demo):"
	@echo "    admin             superuser"
	@echo "    staff_fuyang      福阳社区 community staff"
	@echo "    grid_mingzhu      明珠花园第二网格 grid worker"
	@echo "    street_xiangyang  向阳街道 street admin"
	@echo "    volunteer1        volunteer, 市税务局稽查局党支部"
	@echo "    resident1         resident, 福阳社区"
	@echo ""
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrations-check: $(VENV)/.installed
	DEBUG=$${DEBUG:-1} $(PY) manage.py makemigrations --check --dry-run

check: $(VENV)/.installed
	DEBUG=$${DEBUG:-1} $(PY) manage.py check

seed: $(VENV)/.installed
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo $(SEED_ARGS)

messages: $(VENV)/.installed
	DEBUG=1 $(PY) manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=staticfiles
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv

# The reviewers' tools: bandit over our code (medium and high findings fail), pip-audit over the
# installed packages (a known vulnerability fails; where the package index offers no advisory
# data for a package, pip-audit lists it as not audited).
audit: $(VENV)/.installed
	$(VENV)/bin/bandit -q -r accounts api audit communities config notices outcomes wishes -ll
	$(VENV)/bin/pip-audit --skip-editable --progress-spinner off

bench: $(VENV)/.installed
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
