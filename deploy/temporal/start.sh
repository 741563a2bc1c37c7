#!/bin/sh
# Starts the Temporal server (all four services in one process) from config/cluster.yaml beside this script.
# The one start command of both deployments: `npm run cluster` (src/cluster/temporal-server.ts, with the binary
# built into ~/.cache/womei-checkout as TEMPORAL_SERVER) and docker-compose.yml's `temporal` service (the official
# server image, whose binary is temporal-server on PATH). `exec`, so signals reach the server itself.
set -eu
server="${TEMPORAL_SERVER:-temporal-server}"
# Listening on every interface (compose), the members of the cluster must be told which address to reach it on.
if [ "${BIND_ON_IP:-127.0.0.1}" = 0.0.0.0 ] && [ -z "${TEMPORAL_BROADCAST_ADDRESS:-}" ]; then
  TEMPORAL_BROADCAST_ADDRESS="$(hostname -i | cut -d ' ' -f 1)"
  export TEMPORAL_BROADCAST_ADDRESS
fi
exec "$server" --root "$(dirname "$0")" --config config --env cluster --allow-no-auth start
