#!/usr/bin/env bash
# Makes (once) the virtualenv of the export readers (pycocotools, datasets) under
# ${LABELLOOP_HOME:-<repo>/.local}/export-readers from requirements.txt (PyPI, pinned) and
# prints its python. Delete the folder to start over.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
VENV="${LABELLOOP_HOME:-$ROOT/.local}/export-readers"
stamp="$VENV/.requirements.$(sha256sum "$HERE/requirements.txt" | cut -c1-16)"
if [[ ! -f $stamp ]]; then
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$HERE/requirements.txt" >&2
  touch "$stamp"
fi
echo "$VENV/bin/python"
