#!/bin/sh
# Creates Temporal's two PostgreSQL databases and brings both schemas (persistence and visibility) to the newest
# version the SQL tool ships. Run by both deployments of this project, so they set up the same way:
#   - `npm run cluster` (src/cluster/temporal-server.ts), with the tool built into ~/.cache/womei-checkout;
#   - docker-compose.yml's `temporal-schema` service (the official admin-tools image of the same version).
# Idempotent, without swallowing errors: `create` accepts an existing database, `setup-schema -v 0.0` leaves a
# newer version alone, and `update-schema` applies only what is missing, so every start runs it again and an
# upgraded tool upgrades the schema. The schemas are the ones compiled into the tool (`--schema-name`), so the
# schema always matches the tool's (and the server's) version.
# Connection from the tool's own variables: SQL_HOST, SQL_PORT, SQL_USER, SQL_PASSWORD.
set -eu
tool="${TEMPORAL_SQL_TOOL:-temporal-sql-tool}"
export SQL_PLUGIN=postgres12
for db in temporal temporal_visibility; do
  case "$db" in temporal) schema=postgresql/v12/temporal ;; *) schema=postgresql/v12/visibility ;; esac
  "$tool" --db "$db" create-database
  "$tool" --db "$db" setup-schema -v 0.0
  "$tool" --db "$db" update-schema --schema-name "$schema"
  echo "schema $db: $schema up to date"
done
