# Two commands do all the set-up on a fresh machine:
#   make demo   — install into .venv and run basewatch on the shipped samples
#   make test   — install into .venv, lint, and run the tests; it never changes the system:
#                 without Debian's chromium the browser tests are skipped (it says how to add
#                 them), except with CI set, where they fail
#   make browser — install chromium for the browser tests: a change to the system of its own
#                 (apt-get, as root or through sudo), which .ci/run calls before make test
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,spark]'
	touch $(STAMP)

.PHONY: install demo test lint bench browser browser-check java
install: $(STAMP)

demo: $(STAMP)
	$(BIN)/basewatch demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks eval
	$(BIN)/ruff format --check src tests benchmarks eval

# the browser tests drive the system chromium through playwright (never `playwright install`)
CHROMIUM ?= /usr/bin/chromium
APT_CHROMIUM := DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium

browser:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && $(APT_CHROMIUM); \
	  else sudo -n sh -c 'apt-get update -q && $(APT_CHROMIUM)'; fi; }
	@test -x $(CHROMIUM) || { echo "chromium is still missing at $(CHROMIUM)" >&2; exit 1; }

# the Spark tests need a Java runtime (17 or later): Debian's headless JRE when missing
APT_JAVA := DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-17-jre-headless

java:
	@command -v java >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && $(APT_JAVA); \
	  else sudo -n sh -c 'apt-get update -q && $(APT_JAVA)'; fi; }
	@command -v java >/dev/null || { echo "java is still missing (the Spark tests need it)" >&2; exit 1; }

browser-check:
	@test -x $(CHROMIUM) || echo "note: no chromium at $(CHROMIUM), so the browser tests are \
	skipped; add them with 'make browser' (installs Debian's chromium through apt-get, as root \
	or with sudo), then 'make test' again"

test: lint browser-check
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/run.py
