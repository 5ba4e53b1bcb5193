# Agora: `make run` serves the API with demo data; `make test` runs linters and the suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run worker beat demo test lint format api-snapshot collectstatic check-deploy supplier bench load clean system-deps test-deps

# Each step says what it does: a fresh machine spends a minute or two in pip, which shows
# every package as it comes (a progress bar on a terminal).
$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || { echo "==> Creating the virtualenv $(VENV) ($(PYTHON))"; $(PYTHON) -m venv $(VENV); }
	@echo "==> Installing the pinned dependencies into $(VENV) (requirements-dev.txt)"
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar on -r requirements-dev.txt
	@rm -f $(VENV)/.installed-* && touch $(STAMP)
	@echo "==> Dependencies installed"

install: $(STAMP)

demo: install
	@echo "==> Migrating the database ($${DATABASE_URL:-sqlite: db.sqlite3})"
	$(BIN)/python manage.py migrate --noinput
	@echo "==> Loading the demo data (users, products, shipping methods, hotels)"
	$(BIN)/python manage.py load_demo

# The API, a Celery worker and beat (the periodic jobs), and the simulated supplier, together
# (Procfile). Embedded defaults: the file broker in var/, the supplier on SUPPLIER_PORT (and
# StayHub, the second supplier, under its /stayhub). A CELERY_BROKER_URL or SUPPLIER_URL of
# your own replaces them (then no supplier is started; STAYHUB_URL defaults to its /stayhub).
SUPPLIER_PORT ?= 8100
EMBEDDED_BROKER = CELERY_BROKER_URL="$${CELERY_BROKER_URL:-filesystem://}"
run: demo
	@mkdir -p var
	@echo ""
	@echo "Agora is starting on http://$(HOST):$(PORT)/ (with a worker, beat and the supplier; Ctrl-C stops all)"
	@echo "  API root:   http://$(HOST):$(PORT)/api/"
	@echo "  Swagger UI: http://$(HOST):$(PORT)/api/docs/  (ReDoc: /api/redoc/)"
	@echo "  Admin:      http://$(HOST):$(PORT)/admin/  (sign in as merchant / merchant-demo-pass)"
	@echo "  Supplier:   $${SUPPLIER_URL:-http://$(HOST):$(SUPPLIER_PORT)}  (faults: POST /_faults; StayHub under /stayhub)"
	@echo ""
	AGORA_HOST=$(HOST) AGORA_PORT=$(PORT) SUPPLIER_PORT=$(SUPPLIER_PORT) \
		$(EMBEDDED_BROKER) SUPPLIER_URL="$${SUPPLIER_URL:-http://$(HOST):$(SUPPLIER_PORT)}" \
		STAYHUB_URL="$${STAYHUB_URL:-$${SUPPLIER_URL:-http://$(HOST):$(SUPPLIER_PORT)}/stayhub}" \
		$(BIN)/honcho start $(if $(SUPPLIER_URL),web worker beat)

# One of them alone (on the file broker unless CELERY_BROKER_URL says otherwise); the web
# server must then use the same broker.
worker: install
	@mkdir -p var
	$(EMBEDDED_BROKER) $(BIN)/celery -A config worker --concurrency 2 --without-gossip --without-mingle --without-heartbeat -l info

beat: install
	@mkdir -p var
	$(EMBEDDED_BROKER) $(BIN)/celery -A config beat -l info

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python manage.py makemigrations --check --dry-run

# On SQLite (no DATABASE_URL) the suite runs on both cores (pytest-xdist): under a minute. On
# PostgreSQL (CI) it runs in one process: the Redis-backed worker tests and the scale-out
# battery share fixed queues and a stack per module.
PYTEST_ARGS ?= $(if $(DATABASE_URL),,-n 2)
test: lint test-deps
	$(BIN)/pytest $(PYTEST_ARGS)

# Debian packages beyond Python's: chromium (the browser tests, tests/browser), pgbouncer (the
# scale-out battery, make scaleout), wrk (make bench). A missing one is installed with apt-get
# when make runs as root (CI, a container); otherwise make says how to install it and stops.
# `make test` only warns outside CI (the tests that need it skip, saying how to install it);
# in CI (`CI` set) it stops. Quiet when all are there.
system-deps:
	@ops/system-deps.sh chromium pgbouncer wrk

test-deps:
	@ops/system-deps.sh --or-skip chromium pgbouncer

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The API's shape (docs/api-snapshot.txt): regenerate after a deliberate change, review the diff.
api-snapshot: install
	$(BIN)/python manage.py api_snapshot

# Production's static files (hashed, compressed) into STATIC_ROOT: part of every deployment,
# before the server starts. Nothing is signed here, so a throwaway key does when none is set.
collectstatic: install
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-$$(openssl rand -hex 32)} \
		$(BIN)/python manage.py collectstatic --noinput

check-deploy: collectstatic
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=$$(openssl rand -hex 32) \
		DJANGO_ALLOWED_HOSTS=agora.example $(BIN)/python manage.py check --deploy --fail-level WARNING

bench: install
	@ops/system-deps.sh wrk
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# A load run, not a benchmark: 10k order placements from 200 users on 5 hot products, then
# orders made, 409s, 5xx and oversold units (both must be 0), p50/p99 (docs/performance.md).
load: install
	@ops/system-deps.sh wrk
	$(BIN)/python -m bench.load $(LOAD_ARGS)

supplier: install
	$(BIN)/python -m supplier_sim --host $(HOST) --port 8100

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache db.sqlite3 var

# Production-like on this machine (docs/operations.md): DATABASE_URL (PostgreSQL) and
# CELERY_BROKER_URL (RabbitMQ) from the environment, defaults for this machine's services.
# prod: one gunicorn, two Celery workers, one beat, in the foreground (Ctrl-C stops all).
.PHONY: prod scaleout scaleout-stop
prod: install
	$(BIN)/python -m ops.prodlike run --host $(HOST) --port $(PORT)

# scaleout: PgBouncer (transaction pooling) + two gunicorn instances (SCALEOUT_PORTS) + two
# workers + one beat, in the background; scaleout-stop ends them.
scaleout: install
	@ops/system-deps.sh pgbouncer
	$(BIN)/python -m ops.prodlike scaleout start --host $(HOST)

scaleout-stop:
	$(BIN)/python -m ops.prodlike scaleout stop
