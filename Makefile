# Two commands set everything up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := frontend/node_modules/.installed
CONSOLE := src/liveops/web/static/index.html
FRONTEND_SOURCES := $(shell find frontend/src frontend/index.html frontend/vite.config.ts frontend/tsconfig*.json -type f 2>/dev/null)

# `make run PORT=8001` when 8000 is taken.
PORT ?= 8000

.PHONY: run test check lint typecheck bench install console services browser clean help

help:
	@echo "make run    - install what is missing, then play a simulated show (liveops demo)"
	@echo "              on http://127.0.0.1:$(PORT) (PORT=8001 make run for another port)"
	@echo "make test   - install what is missing, start PostgreSQL/Redis if down, run every test"
	@echo "make check  - the fast loop: ruff, mypy and the unit tests (seconds)"
	@echo "make lint   - ruff and mypy --strict"
	@echo "make bench  - run the benchmarks in bench/ (see docs/benchmarks.md)"

install: $(PY_STAMP) $(CONSOLE)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(PY_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

$(NODE_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

console: $(CONSOLE)
$(CONSOLE): $(NODE_STAMP) $(FRONTEND_SOURCES)
	cd frontend && npm run build

# `set -m` runs the demo in a process group of its own, the terminal's foreground one: Ctrl-C
# reaches the demo alone, which ends its show and exits 0, and make, not interrupted, exits 0
# too. (Without it make dies of the same SIGINT and reports "Interrupt".) The `exit` keeps
# bash from exec'ing the demo in its own place, which would skip the job control.
run: install
	@set -m; $(BIN)/liveops demo --port $(PORT); exit $$?

# PostgreSQL and Redis are expected on 127.0.0.1; start them if they are down.
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
	@for i in $$(seq 1 50); do pg_isready -q -h 127.0.0.1 -p 5432 && redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && exit 0; sleep 0.2; done; echo "PostgreSQL or Redis did not come up" >&2; exit 1

# Debian's Chromium for the Playwright tests (browser downloads are not possible here), and
# CJK fonts so that Chinese text is readable in screenshots.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk; \
	fi

lint: $(PY_STAMP)
	$(BIN)/ruff check src tests bench migrations
	$(BIN)/ruff format --check src tests bench migrations
	$(BIN)/mypy

check: lint
	$(BIN)/pytest -q tests/unit

test: install services browser lint
	cd frontend && npm test
	$(BIN)/pytest

bench: install services
	$(BIN)/python bench/ingest.py --backend sqlite
	$(BIN)/python bench/ingest.py --backend postgres
	$(BIN)/python bench/review.py --backend postgres --events 1000000 --repeats 3
	$(BIN)/python bench/review.py --backend sqlite --events 1000000 --repeats 3

clean:
	rm -rf $(VENV) frontend/node_modules src/liveops/web/static .liveops

# Console fan-out of LiveOps beside Node socket.io, Python websockets.broadcast and a naive
# Starlette loop (bench/fanout/run.py, ~12 min; FANOUT_ARGS=--quick for ~2 min). Runs under the
# machine-wide lock so that it never overlaps with other heavy runs.
.PHONY: bench-fanout
bench-fanout: $(PY_STAMP)
	flock /tmp/liveops-heavy.lock $(BIN)/python bench/fanout/run.py $(FANOUT_ARGS)
