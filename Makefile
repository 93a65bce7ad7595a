# Two commands for a newcomer: `make run` and `make test`. Everything runs in .venv.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
EXAMPLES := posts/example_posts

# Local commands run with DEBUG on unless the caller says otherwise (production sets
# DJANGO_SECRET_KEY and leaves DEBUG off). Tests use tests/settings.py instead.
run migrate import-examples superuser: export DJANGO_DEBUG ?= 1
# The reader site at / renders drafts from the admin's signed preview links; the API's
# `url` fields, feeds and sitemap point at its pages, on the port it serves.
run: export CMS_PREVIEW_URL ?= http://$(HOST):$(PORT)/posts/{slug}/?preview={token}
run: export CMS_POST_URL ?= http://$(HOST):$(PORT)/posts/{slug}/

.PHONY: run test lint format migrate superuser import-examples bench-import bench-api bench-admin bench-render clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files: reinstall only when a requirements file changes.
$(VENV)/.runtime-deps: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-deps

migrate: $(VENV)/.runtime-deps
	$(MANAGE) migrate --noinput

import-examples: migrate
	@if [ -f posts/management/commands/import_markdown.py ] && [ -d $(EXAMPLES) ]; then \
		$(MANAGE) import_markdown $(EXAMPLES) ; \
	fi

run: import-examples
	$(MANAGE) collectstatic --noinput --verbosity 0
	@echo "Serving on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/, create a login with 'make superuser')"
	$(MANAGE) runserver $(HOST):$(PORT)

superuser: migrate
	$(MANAGE) createsuperuser

lint: $(VENV)/.dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The admin's post list with 30,000 generated posts, in a throwaway test database.
bench-admin: $(VENV)/.dev-deps
	$(BIN)/python bench/admin_changelist.py

# Rendering times of pathological bodies, each at two sizes (linear or not).
bench-render: $(VENV)/.dev-deps
	$(BIN)/python bench/rendering.py

# Figures, not assertions: import/re-import/export of ../shared/corpus/seedsite on SQLite and
# (when reachable) PostgreSQL, against the parse floor. Takes a few minutes.
bench-import: $(VENV)/.runtime-deps
	$(BIN)/python bench/import_bench.py $(BENCH_ARGS)

# Read API throughput vs. a bare Django view (needs wrk and ../shared/corpus); see bench/api.py.
bench-api: $(VENV)/.runtime-deps
	$(BIN)/python bench/api.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
