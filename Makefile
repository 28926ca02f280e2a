# The briefing book. `make html` builds it (creating .venv from requirements.txt first);
# `make test` runs the whole test suite. Run `make help` for the rest.

PYTHON      ?= python3
VENV        ?= .venv
SPHINXOPTS  ?= -W -n --keep-going
BUILDDIR    ?= _build
BIN         := $(VENV)/bin
SPHINXBUILD := $(BIN)/python -m sphinx
STAMP       := $(VENV)/.installed
# The PDF's and the e-book's file name, as conf.py gives it (latex_documents, epub_basename).
BOOK        := kyrgyzstan-tajikistan-border-2022

# Reproducible output: dates come from the last commit, not the clock (when git knows one).
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)
ifneq ($(SOURCE_DATE_EPOCH),)
export SOURCE_DATE_EPOCH
endif

.PHONY: help venv html pdf latexpdf epub test check linkcheck livehtml clean bench

help:
	@echo "make html       build the HTML book into $(BUILDDIR)/html (warnings are errors)"
	@echo "make pdf        build the PDF into $(BUILDDIR)/latex (needs TeX: see README)"
	@echo "make epub       build the e-book (EPUB 3) into $(BUILDDIR)/epub"
	@echo "make check      build and run the link-check and evidence suite"
	@echo "make test       run the whole test suite"
	@echo "make linkcheck  check the external URLs (needs a network)"
	@echo "make livehtml   live preview while editing, at http://$(LIVEHOST):$(LIVEPORT)/"
	@echo "make bench      print build and checker timings"
	@echo "make clean      remove builds and the virtual environment"

# The venv is rebuilt whenever requirements.txt changes. It is built aside and moved into place
# only when complete, so an interrupted or failed first run leaves no half-made .venv behind;
# the tools are run as `python -m …`, which works wherever the venv lies. One make at a time
# builds it (the lock $(VENV).lock, where flock(1) exists): a second first `make html` waits, then
# finds it made, instead of replacing it under the first one's running build.
$(STAMP): requirements.txt tools/require_python.py
	@$(PYTHON) tools/require_python.py
	@exec 9>"$(VENV).lock"; \
	if command -v flock >/dev/null 2>&1 && ! flock -n 9; then \
	  echo "make: another make is creating $(VENV); waiting for it to finish"; flock 9; fi; \
	if [ -f $(STAMP) ] && [ $(STAMP) -nt requirements.txt ] && [ $(STAMP) -nt tools/require_python.py ]; then \
	  exit 0; fi; \
	partial=$(VENV).partial.$$$$; \
	echo "$(PYTHON) -m venv $$partial && $$partial/bin/python -m pip install --quiet -r requirements.txt"; \
	$(PYTHON) -m venv $$partial \
	&& $$partial/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt \
	&& touch $$partial/.installed \
	&& rm -rf $(VENV) && mv -T $$partial $(VENV) \
	|| { rm -rf $$partial; exit 1; }; \
	: "pip and venv wrote the aside folder into the scripts (pip's first lines, activate): name the venv."; \
	grep -rlI '\.partial\.' $(VENV)/bin | xargs -r sed -i 's|$(notdir $(VENV))\.partial\.[0-9]*|$(notdir $(VENV))|g'

# A venv that no longer works (its Python removed or upgraded, its packages deleted) is rebuilt.
ifneq ($(wildcard $(STAMP)),)
# Looked up, not imported: the check runs on every make and must cost the edit loop nothing.
ifneq ($(shell $(BIN)/python -c "import importlib.util as u, sys; sys.exit(not all(map(u.find_spec, ('sphinx', 'pytest'))))" >/dev/null 2>&1 && echo ok),ok)
$(shell rm -f $(STAMP))
endif
endif

venv: $(STAMP)

# Every target keeps its doctrees (and the charts drawn beside them) in $(BUILDDIR)/doctrees,
# outside the published folders: _build/html can be copied to a web server as it is.
DOCTREES    := $(BUILDDIR)/doctrees

html: $(STAMP)
	$(SPHINXBUILD) -b html $(SPHINXOPTS) -d $(DOCTREES) . $(BUILDDIR)/html

# Quiet unless something fails: TeX's output goes to $(TEXLOG); on failure its last lines are
# printed with the log's path. TeX runs non-interactively (it never waits at a `?` prompt).
TEXLOG      := $(BUILDDIR)/latex/tex-output.log
pdf latexpdf: $(STAMP)
	@$(BIN)/python tools/require_tex.py
	@$(SPHINXBUILD) -b latex -q $(SPHINXOPTS) -d $(DOCTREES) . $(BUILDDIR)/latex
	@$(MAKE) -s -C $(BUILDDIR)/latex all-pdf \
	    LATEXOPTS="-interaction=nonstopmode -halt-on-error -file-line-error" \
	    </dev/null >$(TEXLOG) 2>&1 \
	  || { tail -n 40 $(TEXLOG); \
	       echo "make pdf: TeX failed (above: the end of its output). Full output: $(TEXLOG); TeX's log: $(BUILDDIR)/latex/$(BOOK).log" >&2; \
	       exit 1; }
	@echo "The PDF: $(BUILDDIR)/latex/$(BOOK).pdf"

epub: $(STAMP)
	$(SPHINXBUILD) -b epub $(SPHINXOPTS) -d $(DOCTREES) . $(BUILDDIR)/epub
	@echo "The e-book: $(BUILDDIR)/epub/$(BOOK).epub"

# The third-party clients the tests run (tests/clients/package-lock.json), installed like the venv:
# again whenever the lockfile changes. No install script runs: Puppeteer's would download a
# browser, and DAISY Ace drives /usr/bin/chromium.
CLIENTS     := tests/clients
CLIENTS_STAMP := $(CLIENTS)/node_modules/.installed
$(CLIENTS_STAMP): $(CLIENTS)/package.json $(CLIENTS)/package-lock.json
	cd $(CLIENTS) && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

check: $(STAMP) $(CLIENTS_STAMP)
	$(BIN)/python -m pytest -q -m "not slow" tests

test: $(STAMP) $(CLIENTS_STAMP)
	$(BIN)/python -m pytest -q tests

linkcheck: $(STAMP)
	@$(BIN)/python tools/require_network.py
	$(SPHINXBUILD) -b linkcheck $(SPHINXOPTS) -d $(DOCTREES) . $(BUILDDIR)/linkcheck

# The live preview is plain sphinx-autobuild, as CPython's docs use it: each save rebuilds with a new
# python -m sphinx; a failed check is shown at the top of the page (briefing_check_banner).
LIVEHOST    ?= 127.0.0.1
LIVEPORT    ?= 8000
livehtml: $(STAMP)
	$(BIN)/python -m sphinx_autobuild --host $(LIVEHOST) --port $(LIVEPORT) --ignore "$(abspath $(BUILDDIR))/*" -b html $(SPHINXOPTS) -D briefing_check_banner=1 -d $(DOCTREES) . $(BUILDDIR)/html

bench: $(STAMP)
	$(BIN)/python tools/bench.py

clean:
	rm -rf $(BUILDDIR) $(VENV) $(VENV).partial.* $(VENV).lock .pytest_cache
