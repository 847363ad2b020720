#!/usr/bin/env bash
# Installs the Python test tools (moto server) into the project-local virtualenv .venv.
# Idempotent: does nothing when the pinned versions are already there.
set -euo pipefail
cd "$(dirname "$0")/.."
req=scripts/requirements-test.txt
stamp=.venv/.installed
if [[ -x .venv/bin/python && -f $stamp ]] && cmp -s "$req" "$stamp"; then
  exit 0
fi
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$req"
cp "$req" "$stamp"
