#!/usr/bin/env bash
# The one test command: installs what the tests need, then lint, types and the full test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 PIP_DISABLE_PIP_VERSION_CHECK=1
python -m pip install -q -e '.[dev]'
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null; } \
    || echo "warning: could not install chromium; browser tests will be skipped" >&2
fi
ruff check assistant indexing tests benchmarks
ruff format --check assistant indexing tests benchmarks
mypy assistant indexing
python -m pytest -q -p no:cacheprovider "$@"
