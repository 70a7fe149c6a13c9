#!/usr/bin/env bash
# Makes (once) the Python SDK's virtualenv under .local/python-sdk with requirements-dev.txt
# from PyPI and the SDK installed editable; prints its python. Delete the folder to start over.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="${LABELLOOP_HOME:-$ROOT/.local}/python-sdk"
stamp="$VENV/.requirements.$(sha256sum "$HERE/requirements-dev.txt" "$HERE/pyproject.toml" | sha256sum | cut -c1-16)"
if [[ ! -f $stamp ]]; then
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$HERE/requirements-dev.txt" >&2
  "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps -e "$HERE" >&2
  touch "$stamp"
fi
echo "$VENV/bin/python"
