#!/usr/bin/env bash
# Installs the official Temporal CLI (which carries the dev server) into a cache outside the clone, so a fresh
# clone on the same machine reuses it. This machine cannot download release binaries, so the CLI is built from
# the Go module proxy; v1.5.1 is the newest tag whose go.mod has no `replace` line (later tags refuse
# `go install pkg@version`). Keep TEMPORAL_CLI_VERSION in step with src/temporal-cli.ts.
set -euo pipefail

version="${TEMPORAL_CLI_VERSION:-v1.5.1}"
cache_root="${WOMEI_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/womei-checkout}"
bin_dir="$cache_root/temporal-cli/$version"
bin="$bin_dir/temporal"

if [ -n "${TEMPORAL_CLI_PATH:-}" ]; then
  echo "temporal-cli: TEMPORAL_CLI_PATH is set ($TEMPORAL_CLI_PATH); not building"
  exit 0
fi

# `go install` builds report "0.0.0-DEV", so a marker written after a successful build records the version.
marker="$bin_dir/.installed-version"
if [ -x "$bin" ] && [ "$(cat "$marker" 2>/dev/null)" = "$version" ] && "$bin" --version >/dev/null 2>&1; then
  echo "temporal-cli: $version already installed at $bin"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "temporal-cli: Go is needed to build the Temporal CLI $version (or set TEMPORAL_CLI_PATH to an existing binary)" >&2
  exit 1
fi

echo "temporal-cli: building github.com/temporalio/cli/cmd/temporal@$version into $bin_dir (a cold build takes a few minutes)"
mkdir -p "$bin_dir"
started=$(date +%s)
GOBIN="$bin_dir" GOFLAGS="${GOFLAGS:-} -mod=mod" go install "github.com/temporalio/cli/cmd/temporal@$version"
echo "$version" > "$marker"
echo "temporal-cli: built in $(( $(date +%s) - started ))s: $("$bin" --version)"
