# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PORT   ?= 7860

.PHONY: run test test-fast screenshots bench demo clean chromium

$(PY):
	$(PYTHON) -m venv $(VENV)

# Installs once; a second make does not reinstall unless pyproject.toml changed.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

run: $(STAMP)
	@echo "Starting the dashboard at http://127.0.0.1:$(PORT)"
	$(PY) app.py --host 127.0.0.1 --port $(PORT)

# The whole suite (what .ci/run calls). Screenshots go to a temporary folder: a run leaves the
# tracked files as they were.
test: $(STAMP) chromium
	$(PY) -m pytest -q

# Unit tests alone: no browser, nothing marked slow.
test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not browser and not slow"

# Refresh docs/screenshots/ (the only target that writes them): every tab at desktop and phone width,
# light and dark (docs/screenshots/tabs/).
screenshots: $(STAMP) chromium
	$(PY) scripts/screenshots.py --out docs/screenshots/tabs

bench: $(STAMP)
	$(PY) bench/build.py
	$(PY) bench/leaderboard.py
	$(PY) bench/explorer.py
	$(PY) bench/views.py
	$(PY) bench/judge.py
	$(PY) bench/arena.py

clean:
	rm -rf $(VENV) .cache
