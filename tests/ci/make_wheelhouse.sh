#!/usr/bin/env bash
# Fill a local wheelhouse with everything `pip install <oqmigrate checkout>` needs: the build backend (hatchling and
# its dependencies) and oqmigrate's runtime dependencies. The tests that install oqmigrate the way its users do
# (`pre-commit try-repo`, the GitHub Action's install step) then run offline with
#   PIP_NO_INDEX=1 PIP_FIND_LINKS=DIR   (they find DIR in $OQMIGRATE_WHEELHOUSE).
# Needs the network once; run it before the tests, e.g. from .ci/run.
#
# usage: tests/ci/make_wheelhouse.sh DIR
set -euo pipefail
dest="${1:?usage: tests/ci/make_wheelhouse.sh DIR}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
mkdir -p "$dest"
python -m pip wheel --quiet --wheel-dir "$dest" "$repo" hatchling
# oqmigrate itself is always built from the checkout under test, never taken from here.
rm -f "$dest"/oqmigrate-*.whl
ls "$dest" | wc -l | xargs printf 'wheelhouse %s: %s wheels\n' "$dest"
