#!/usr/bin/env bash
# Every test, from a fresh clone: system deps, the locked dependencies, then `pnpm test`
# (each package's vitest run; the Redis tests start and stop their own redis-server).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
pnpm install --frozen-lockfile
pnpm test
