#!/usr/bin/env bash
# Set up (venv + install with test extras, Debian chromium for browser tests when we are
# root and it is missing) and run the whole test suite.
set -euo pipefail
source "$(dirname "$0")/env.sh" test
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian chromium for the browser tests" >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
exec .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" "$@"
