# vetting: `make run` to try it, `make test` to check it. Both install what they need.
SHELL := /bin/bash
# The first supported Python (3.11 to 3.13) that runs; another one: make test PYTHON=python3.13 VENV=.venv-3.13
PYTHON ?= $(shell for p in python3.11 python3.12 python3.13 python3; do \
  $$p -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' 2>/dev/null \
  && command -v $$p && break; done)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# WeasyPrint needs Pango/HarfBuzz; Korean text needs a Korean font.
RUN_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-nanum
# Browser tests drive Debian's Chromium; docker-compose (v1) validates docker-compose.yml.
TEST_DEBS := chromium docker-compose
# The suite runs in one process per CPU; PYTEST_ARGS="-n 0" runs it in one, e.g. to debug.
PYTEST_ARGS ?= -n auto
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install system-deps test-system-deps run totp worker test lint format bench messages clean

help:
	@echo "make run    install, migrate, load the catalogue, create demo users, serve on $(HOST):$(PORT)"
	@echo "make test   install and run the whole suite (lint, migrations check, tests)"
	@echo "make bench  performance benchmarks"

define ensure_debs
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "WARNING: missing Debian packages:$$missing (install them as root: apt-get install$$missing)"; fi; \
	fi
endef

system-deps:
	$(call ensure_debs,$(RUN_DEBS))

test-system-deps: system-deps
	$(call ensure_debs,$(TEST_DEBS))

$(STAMP): pyproject.toml setup.py
	@test -n "$(PYTHON)" || { echo "Python 3.11, 3.12 or 3.13 is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e ".[dev]"
	touch $(STAMP)

install: system-deps $(STAMP)

run: install
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py load_catalogs
	DJANGO_DEBUG=1 $(PY) manage.py create_demo_users
	@echo "Open http://$(HOST):$(PORT)/ and sign in with one of the users above."
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# The current authenticator code of a demo user, e.g. `make totp user=reviewer` (development only).
totp: install
	@DJANGO_DEBUG=1 $(PY) manage.py demo_totp $(user)

worker: install
	$(VENV)/bin/celery -A vetting worker -B -l info

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: install test-system-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-ci-only-secret-key-0123456789-0123456789-0123456789-abcdef} \
	  DJANGO_DEBUG=0 VETTING_HTTPS=1 $(PY) manage.py check --deploy --fail-level WARNING
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest $(PYTEST_ARGS)

bench: install
	$(PY) -m benchmarks.run

messages: install
	cd $(CURDIR) && $(PY) manage.py makemessages -l ko --ignore='.venv*' --ignore=var
	$(PY) manage.py compilemessages --ignore='.venv*'

clean:
	rm -rf $(VENV) var/staticfiles .pytest_cache
