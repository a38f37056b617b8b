#!/bin/sh
# Runs every compiled *.test.js. Node 20's `node --test DIR` would also run the shared helpers
# (anything under a test/ directory) as if they were tests.
set -eu
cd "$(dirname "$0")/.."
files=$(find dist/test -name '*.test.js' | sort)
# shellcheck disable=SC2086
exec node --test --test-concurrency="${TEST_CONCURRENCY:-2}" --test-timeout="${TEST_TIMEOUT_MS:-180000}" "$@" $files
