# Everything a fresh machine needs: `make run` to use it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha256sum requirements.lock | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install migrate run test lint format check-migrations browser-deps serve bench screenshots clean

help:
	@echo "make run    - set up .venv, migrate (loads the content) and serve on http://$(HOST):$(PORT)"
	@echo "make test   - set up the same way and run ruff and the whole test suite"
	@echo "make serve  - production mode here: DEBUG off, collectstatic, gunicorn"
	@echo "make bench  - throughput and latency under load (see docs/performance.md)"

$(STAMP): requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

run: migrate
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-migrations: install
	$(BIN)/python manage.py makemigrations --check --dry-run

# axe-core for the accessibility checks in the browser tests, from the npm registry.
browser-deps:
	@if command -v npm >/dev/null 2>&1 && [ ! -f node_modules/axe-core/axe.min.js ]; then \
		npm install --no-save --no-audit --no-fund --silent axe-core@4 || echo "axe-core not installed: accessibility checks will be skipped"; \
	fi

test: install check-migrations lint browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

serve: install
	DJANGO_DEBUG=0 $(BIN)/python manage.py collectstatic --noinput -v0
	DJANGO_DEBUG=0 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=0 $(BIN)/gunicorn hamstrings.wsgi --config hamstrings/gunicorn.conf.py

bench: install
	$(BIN)/python bench/run.py

screenshots: install browser-deps
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) staticfiles node_modules .pytest_cache .ruff_cache
