#!/bin/sh
# Runs every compiled *.test.js. Node 20's `node --test DIR` would also run the shared helpers
# (anything under a test/ directory) as if they were tests.
#
# Four files at a time: many of the end-to-end tests wait on a child process or a socket most of
# the time, so more files than cores keep the two cores busy. The end-to-end and consumer files, the long
# ones, start first, so that the short unit files fill in at the end instead of one long file
# running alone.
set -eu
cd "$(dirname "$0")/.."
files=$( (find dist/test/e2e dist/test/consumers -name '*.test.js' | sort; find dist/test -name '*.test.js' -not -path 'dist/test/e2e/*' -not -path 'dist/test/consumers/*' | sort) )
# shellcheck disable=SC2086
exec node --test --test-concurrency="${TEST_CONCURRENCY:-4}" --test-timeout="${TEST_TIMEOUT_MS:-180000}" "$@" $files
