# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Debian packages the browser and proxy tests drive, each as package:file-it-provides.
SYSTEM_DEPS := chromium:/usr/bin/chromium nginx:/usr/sbin/nginx
# Test processes: the suite is spread over this many (pytest-xdist), one per core.
TEST_WORKERS ?= 2

.PHONY: install system-deps oidc-provider demo test test-fast lint format benchmark clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Installs what is missing with apt-get when run as root on Debian; otherwise
# says the one command that installs it.
system-deps:
	@missing=$$(for dep in $(SYSTEM_DEPS); do [ -x "$${dep#*:}" ] || printf '%s ' "$${dep%%:*}"; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing $${missing}for the browser and proxy tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "The browser and proxy tests need these Debian packages: $$missing"; \
	    echo "Install them with: sudo apt-get install -y $$missing"; \
	    exit 1; \
	  fi; \
	fi

# The OpenID Connect provider the single sign-on tests sign in with (Node.js 18+),
# installed from the lock file in tests/oidc.
OIDC := tests/oidc
oidc-provider: $(OIDC)/node_modules/.package-lock.json

$(OIDC)/node_modules/.package-lock.json: $(OIDC)/package.json $(OIDC)/package-lock.json
	cd $(OIDC) && npm ci --no-audit --no-fund
	touch $@

demo: $(STAMP)
	$(BIN)/carers-impact demo

test: $(STAMP) system-deps oidc-provider
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

# The pure and database tests only (no dashboard, browser, demo build or subprocess).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not slow" --hypothesis-profile fast

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

benchmark: $(STAMP)
	$(BIN)/python benchmarks/etl_carers.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
