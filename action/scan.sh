#!/usr/bin/env bash
# The scan step of the GitHub Action (action.yml), kept here so that a test can run it as is.
# Writes the SARIF file and records `oqmigrate scan`'s exit code as the step output `exit-code`; it fails
# only on a usage error (exit code 2), so that the SARIF file is uploaded before the action fails on findings.
#
# Environment: OQMIGRATE_PATHS (space-separated, default "."), OQMIGRATE_SARIF (default oqmigrate.sarif),
# OQMIGRATE_FAIL_ON (error|warning|info|never, default never), OQMIGRATE_BASELINE (optional baseline file).
set -uo pipefail

read -r -a targets <<< "${OQMIGRATE_PATHS:-.}"
if [ "${#targets[@]}" -eq 0 ]; then
    targets=(.)
fi
sarif="${OQMIGRATE_SARIF:-oqmigrate.sarif}"
mkdir -p "$(dirname "$sarif")"
args=(scan "${targets[@]}" --format sarif --output "$sarif" --fail-on "${OQMIGRATE_FAIL_ON:-never}" --no-progress)
if [ -n "${OQMIGRATE_BASELINE:-}" ]; then
    args+=(--baseline "$OQMIGRATE_BASELINE")
fi

oqmigrate "${args[@]}"
code=$?
if [ -n "${GITHUB_OUTPUT:-}" ]; then
    {
        echo "exit-code=$code"
        echo "sarif-file=$sarif"
    } >> "$GITHUB_OUTPUT"
fi
if [ "$code" -ge 2 ]; then
    exit "$code"
fi
exit 0
