#!/usr/bin/env bash
# Installs what a machine with only Node 20 and npm lacks for the full test run:
# pnpm (pinned, as in package.json's packageManager) and redis-server (Debian's, for the
# Redis tests, which start their own servers on free loopback ports).
set -euo pipefail
PNPM_VERSION=10.34.9

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$PNPM_VERSION" ]; then
  echo "[setup] installing pnpm $PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" --no-fund --no-audit >/dev/null
fi

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
/usr/bin/python3 -c 'import diskcache' >/dev/null 2>&1 || missing+=(python3-diskcache) # Debian's python: a pyenv shim may shadow it
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "[setup] installing ${missing[*]} from apt"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
