#!/usr/bin/env bash
# Installs what `npm run cluster` runs besides Node and PostgreSQL, into a cache outside the clone (every clone on
# the machine reuses it), built from the Go module proxy like scripts/install-temporal-cli.sh builds the CLI:
#   - the Temporal server and its SQL schema tool, go.temporal.io/server v1.29.1 (the server the CLI v1.5.1 embeds;
#     its go.mod has no `replace` line, so `go install pkg@version` works). The tool carries the PostgreSQL schemas
#     of its own version (`--schema-name postgresql/v12/...`), so no schema files are copied.
#   - the standalone Web UI server, github.com/temporalio/ui-server/v2 v2.42.1 (the UI the CLI v1.5.1 embeds).
# Keep the versions in step with src/cluster/binaries.ts. A marker written after a successful build records the
# version (`go install` builds do not know theirs).
set -euo pipefail

server_version=v1.29.1
ui_version=v2.42.1
cache_root="${WOMEI_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/womei-checkout}"

# build <label> <dir> <version> <package@version> <installed name> <final name>
build() {
  local label="$1" dir="$2" version="$3" package="$4" built_name="$5" final_name="$6"
  local marker="$dir/.installed-$final_name"
  if [ -x "$dir/$final_name" ] && [ "$(cat "$marker" 2>/dev/null)" = "$version" ]; then
    echo "$label: $version already installed at $dir/$final_name"
    return
  fi
  if ! command -v go >/dev/null 2>&1; then
    echo "$label: Go is needed to build $package" >&2
    exit 1
  fi
  echo "$label: building $package into $dir (a cold build takes a few minutes)"
  local started staging
  started=$(date +%s)
  mkdir -p "$dir"
  staging="$(mktemp -d "$dir/.build.XXXXXX")"
  GOBIN="$staging" GOFLAGS="${GOFLAGS:-} -mod=mod" go install "$package"
  mv "$staging/$built_name" "$dir/$final_name"
  rmdir "$staging"
  echo "$version" > "$marker"
  echo "$label: built in $(( $(date +%s) - started ))s"
}

server_dir="$cache_root/temporal-server/$server_version"
build temporal-server "$server_dir" "$server_version" "go.temporal.io/server/cmd/server@$server_version" server temporal-server
build temporal-sql-tool "$server_dir" "$server_version" "go.temporal.io/server/cmd/tools/sql@$server_version" sql temporal-sql-tool
build temporal-ui-server "$cache_root/temporal-ui-server/$ui_version" "$ui_version" \
  "github.com/temporalio/ui-server/v2/cmd/server@$ui_version" server temporal-ui-server
