# The README's two commands: `make audit` (the main job) and `make test`.
# Each installs what it needs: Debian's chromium (to check the HTML report), tox in .venv-tox,
# and through tox every Python environment (Mythril's and halmos's apart) and the pinned compiler and forge from npm.
PYTHON ?= python3
TOX := .venv-tox/bin/tox

.PHONY: audit test system-deps
audit: $(TOX) system-deps
	$(TOX) run -e mythril,halmos,py311,audit

test: $(TOX) system-deps
	$(TOX) run -e mythril,halmos,static,py311

# Chromium renders audit.html in the tests; Debian's package, installed when missing (as root).
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "install Debian's chromium (sudo apt-get install chromium)"; exit 1; fi; }

$(TOX):
	$(PYTHON) -m venv .venv-tox
	.venv-tox/bin/pip install --quiet 'tox==4.*'
