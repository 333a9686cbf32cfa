# kam-review: the two quick-start commands, and what they need.
#   make site   builds the review site of accounts/ into build/site
#   make test   runs ruff, mypy and the whole test suite (browser tests included)
# Both create the virtual environment .venv on first use.

PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export NO_MKDOCS_2_WARNING := 1

.PHONY: site serve serve-fast test lint browser axe bench clean

$(BIN)/kam: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] <= (3, 12)))' \
	  || { echo "kam-review needs Python 3.11 or 3.12 (durable-rules does not import on 3.13); set PYTHON=" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Built next to the old site and swapped in whole: a build that fails leaves the old one.
site: $(BIN)/kam
	rm -rf build/.site-new build/.site-old
	$(BIN)/mkdocs build --site-dir build/.site-new
	if [ -d build/site ]; then mv build/site build/.site-old; fi
	mv build/.site-new build/site
	rm -rf build/.site-old
	@echo "The review site is in build/site: serve it (make serve, or python3 -m http.server -d build/site) and browse to it"

serve: $(BIN)/kam
	$(BIN)/mkdocs serve

# The same site, rebuilt after an edit to an account file only where the edit changes it.
serve-fast: $(BIN)/kam
	$(BIN)/kam serve

# Headless Chromium for the browser tests, and a CJK font for the Chinese site's pages and
# PDFs, from Debian's packages.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null \
	  && [ -d /usr/share/fonts/opentype/noto ] || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver \
	    fonts-noto-cjk; }

lint: $(BIN)/kam
	$(BIN)/ruff check engine tests $(wildcard bench)
	$(BIN)/mypy
	$(BIN)/kam rules lint rules

# The official SARIF 2.1.0 schema, to check `kam check --format sarif` against; it ships in
# Microsoft's npm package @microsoft/jest-sarif.
SARIF_SCHEMA := build/schemas/sarif-2.1.0.json
$(SARIF_SCHEMA):
	rm -rf build/schemas/npm && mkdir -p build/schemas/npm
	cd build/schemas/npm && npm pack --silent @microsoft/jest-sarif@1.0.0-beta.0 >/dev/null \
	  && tar xzf microsoft-jest-sarif-1.0.0-beta.0.tgz package/lib/schemas/sarif-2.1.0-rtm.5.json
	mv build/schemas/npm/package/lib/schemas/sarif-2.1.0-rtm.5.json $@
	rm -rf build/schemas/npm

# axe-core, the accessibility checker the browser tests run inside Chromium, from npm into a
# folder of build/ (no package.json in the repository).
AXE := build/npm/node_modules/axe-core/axe.min.js
axe: $(AXE)
$(AXE):
	npm install --silent --no-audit --no-fund --prefix build/npm axe-core@4

test: $(BIN)/kam browser $(SARIF_SCHEMA) $(AXE) lint
	$(BIN)/pytest

bench: $(BIN)/kam
	$(BIN)/python bench/run.py

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
