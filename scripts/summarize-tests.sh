#!/usr/bin/env bash
# Adds up vitest's "Tests  N passed | M failed | K skipped" lines from a test log and prints one
# closing line, "tests: N passed, M failed, K skipped", for whoever reads the end of the run.
set -euo pipefail
sed 's/\x1b\[[0-9;]*m//g' "$1" | awk '
  /^(@[^ ]+:test: |[^ ]+:test: )? +Tests +/ {
    for (i = 1; i <= NF; i++) {
      if ($i == "passed") passed += $(i - 1)
      if ($i == "failed") failed += $(i - 1)
      if ($i == "skipped") skipped += $(i - 1)
    }
  }
  END { printf "tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped }'
