# The two commands: `make run` serves the archive, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export ARCHIVE_HOME ?= $(CURDIR)

.PHONY: run test install install-test catalogs messages chromium ffmpeg sample-recording clean

# The interface's catalogs (archive/i18n.py): English msgids in messages.pot, a messages.po per language.
TRANSLATIONS := archive/translations
CATALOGS := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed catalogs

install-test: $(VENV)/.installed-test catalogs

# Compile each messages.po into the messages.mo the app reads (not committed; the wheel's build hook,
# hatch_build.py, compiles them too).
catalogs: $(CATALOGS:.po=.mo)

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel -q compile -l $* -i $< -o $@

# Extract every marked string into messages.pot and merge it into each messages.po; then translate
# the new entries (and the ones marked fuzzy) in the .po files. tests/test_i18n.py fails until done.
messages: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k N_ -k Text --add-location=file \
	  --sort-by-file --project=archive --copyright-holder="the archive's authors" \
	  -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel -q update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --ignore-obsolete

run: install ffmpeg
	$(BIN)/archive init --sample
	@# links name the address served at, unless ARCHIVE_BASE_URL says otherwise
	ARCHIVE_BASE_URL=$${ARCHIVE_BASE_URL:-http://$(HOST):$(PORT)/} $(BIN)/archive serve --host $(HOST) --port $(PORT)

# Debian's chromium and a Latin font (Playwright cannot download browsers here). No Khmer font is needed:
# the archive serves its own (archive/static/fonts/), and tests/test_khmer.py proves it is used by
# hiding every installed Khmer font from chromium.
chromium:
	@if [ ! -x /usr/bin/chromium ] || ! dpkg -s fonts-dejavu-core >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	  else \
	    echo "Browser tests need Debian's chromium and a Latin font: sudo apt-get install -y chromium fonts-dejavu-core" >&2; \
	  fi; \
	fi

# Debian's ffmpeg: ffprobe measures recordings (type and duration, from their content).
ffmpeg:
	@if [ ! -x /usr/bin/ffprobe ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg >/dev/null; \
	  else \
	    echo "Recordings need Debian's ffmpeg (ffprobe): sudo apt-get install -y ffmpeg" >&2; \
	  fi; \
	fi

test: install-test chromium ffmpeg
	$(BIN)/bandit -q -c pyproject.toml -r archive
	$(BIN)/python -m pytest

# Regenerate archive/sample/media/ (the seed letter read by espeak-ng); not needed by run or test.
sample-recording: install
	@if ! command -v espeak-ng >/dev/null || [ ! -x /usr/bin/ffmpeg ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng ffmpeg >/dev/null; \
	  else \
	    echo "Needs espeak-ng and ffmpeg: sudo apt-get install -y espeak-ng ffmpeg" >&2; exit 1; \
	  fi; \
	fi
	$(BIN)/python scripts/make_sample_recording.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
