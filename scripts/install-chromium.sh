#!/usr/bin/env bash
# Installs Chromium from Debian for the headless Web UI test (test/ui), driven by playwright-core, which never
# downloads browsers of its own. Idempotent: quick when /usr/bin/chromium is already there.
# CHROMIUM_PATH points the test at another binary and skips this script.
set -euo pipefail

if [ -n "${CHROMIUM_PATH:-}" ]; then
  echo "chromium: CHROMIUM_PATH is set ($CHROMIUM_PATH); not installing"
  exit 0
fi

bin=/usr/bin/chromium
if [ -x "$bin" ]; then
  echo "chromium: already installed at $bin"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "chromium: $bin is missing and installing it needs root: run 'sudo apt-get update && sudo apt-get install -y chromium' (or set CHROMIUM_PATH to an existing Chromium)" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium: $bin is missing and apt-get is not available: install Chromium yourself and set CHROMIUM_PATH" >&2
  exit 1
fi

echo "chromium: installing the Debian chromium package with apt-get"
started=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium
echo "chromium: installed in $(( $(date +%s) - started ))s: $("$bin" --version 2>/dev/null || echo "$bin")"
