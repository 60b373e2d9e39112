#!/usr/bin/env bash
# Installs the Debian packages cellclinic needs to build, test and benchmark,
# and the npm packages of the browser tests (nginx and openssl: the TLS proxy test,
# tests/api/test_proxy.py, runs its own instance; postgresql: the PostgreSQL store's
# tests start their own throwaway clusters, tests/pg/pgcluster.py, and libpq-dev
# builds its client; iproute2: the benchmark's ss). clang-format is bookworm's 14, the version
# tests/unit/check-format.sh is pinned to. Installs only what is missing;
# safe to run any number of times; never asks a question.
set -euo pipefail

packages=(
  build-essential cmake pkg-config clang libclang-rt-dev clang-format
  libsqlite3-dev sqlite3 libpq-dev postgresql libmicrohttpd-dev libjansson-dev libyajl-dev libsodium-dev nettle-dev libcmocka-dev
  libcairo2-dev libzint-dev zbar-tools libqrencode-dev libxml2-dev poppler-utils
  python3 time wrk iproute2 chromium nginx openssl postgresql libpq-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# Node.js may come from Debian or from another packaging that bundles npm.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm  >/dev/null 2>&1 || missing+=(npm)

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Browser tests drive Debian's chromium through playwright-core (no browser download).
here="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -d "$here/tests/browser/node_modules/playwright-core" ]; then
  echo "install-deps: installing playwright-core for the browser tests"
  (cd "$here/tests/browser" && npm install --no-audit --no-fund --silent)
fi
