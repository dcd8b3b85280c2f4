#!/usr/bin/env bash
# The main job from a fresh clone: install the locked dependencies and start the example
# property service on the embedded default (disk cache, no Redis needed).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v pnpm >/dev/null 2>&1 || npm install -g pnpm@10.34.9 --no-fund --no-audit >/dev/null
pnpm install --frozen-lockfile
pnpm start
