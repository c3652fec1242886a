# The README's two commands: `make audit` (the main job) and `make test`.
# Each bootstraps tox into .venv-tox; tox then builds every environment,
# installs the pinned compiler from the npm registry and runs.
PYTHON ?= python3
TOX := .venv-tox/bin/tox

.PHONY: audit test
audit: $(TOX)
	$(TOX) run -e mythril,audit

test: $(TOX)
	$(TOX) run -e mythril,static,py311

$(TOX):
	$(PYTHON) -m venv .venv-tox
	.venv-tox/bin/pip install --quiet 'tox==4.*'
