# Everything a fresh machine needs: `make run` to use it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha256sum requirements.lock | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install migrate run test lint format check-migrations browser-deps serve bench screenshots lighthouse clean

help:
	@echo "make run    - set up .venv, migrate (loads the content) and serve on http://$(HOST):$(PORT)"
	@echo "make test   - set up the same way and run ruff and the whole test suite"
	@echo "make serve  - production mode here: DEBUG off, collectstatic, gunicorn"
	@echo "make bench  - throughput and latency under load with wrk (see docs/performance.md)"

$(STAMP): requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

# On your own machine: DEBUG on. Everything else (make serve, a deployment) is production,
# which is what the settings give when DJANGO_DEBUG is not set.
run migrate check-migrations test: export DJANGO_DEBUG = 1

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

# Production mode on this machine, over plain http. The secret is made once and kept in .venv:
# it is only for trying the app here; a real deployment sets DJANGO_SECRET_KEY itself.
LOCAL_SECRET := $(VENV)/local-secret-key
SERVE_ENV = DJANGO_DEBUG=0 \
	DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat $(LOCAL_SECRET))}" \
	DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}" \
	DJANGO_SECURE_SSL_REDIRECT="$${DJANGO_SECURE_SSL_REDIRECT:-0}" \
	HOST=$(HOST) PORT=$(PORT)

$(LOCAL_SECRET): | install
	@umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(64))" > $@

serve: install $(LOCAL_SECRET)
	$(SERVE_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	$(SERVE_ENV) $(BIN)/python manage.py migrate --noinput
	$(SERVE_ENV) $(BIN)/gunicorn hamstrings.wsgi --config hamstrings/gunicorn.conf.py

# Load test on loopback with wrk (apt-get install wrk); BENCH_ARGS="--duration 5" for a short run.
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

screenshots: install browser-deps
	$(BIN)/python scripts/screenshots.py

# Lighthouse 12.2.3 (mobile) on every page in production mode; exits 1 below 100 anywhere.
lighthouse: install
	$(BIN)/python scripts/lighthouse.py

clean:
	rm -rf $(VENV) staticfiles node_modules .pytest_cache .ruff_cache
