#!/usr/bin/env bash
# Set up (venv + install) and run the demo: a fresh demo.duckdb from the bundled sample,
# collected through the real collectors from a local replay server, then the app.
set -euo pipefail
source "$(dirname "$0")/env.sh" demo
exec .venv/bin/closer --db "${CLOSER_DB:-demo.duckdb}" demo "$@"
