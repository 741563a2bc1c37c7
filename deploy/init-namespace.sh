#!/bin/sh
# Creates the namespace and registers the checkout's search attributes (workflows/search-attributes.ts; the list
# below is checked against it by test/deploy/compose.test.ts). Run by both deployments against a serving
# Temporal: `npm run cluster` (with the cached Temporal CLI as TEMPORAL_CLI) and docker-compose's `temporal-init`
# service (admin-tools image). Idempotent: an existing namespace or attribute is kept, any other failure stops it.
# Connection from the CLI's own variables: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE.
set -eu
temporal="${TEMPORAL_CLI:-temporal}"
ns="${TEMPORAL_NAMESPACE:-default}"
until "$temporal" operator cluster health >/dev/null 2>&1; do echo 'waiting for temporal'; sleep 1; done
if "$temporal" operator namespace describe --namespace "$ns" >/dev/null 2>&1; then
  echo "namespace $ns exists"
else
  "$temporal" operator namespace create --namespace "$ns" --retention 72h
fi
# A new namespace reaches every frontend's cache within about 10 s; until then it is "not found".
waited=0
until registered="$("$temporal" operator search-attribute list --namespace "$ns" 2>/dev/null)"; do
  waited=$((waited + 1))
  if [ "$waited" -gt 60 ]; then echo "namespace $ns still not found after 60 s" >&2; exit 1; fi
  echo "waiting for namespace $ns to be served"; sleep 1
done
for name in CheckoutPhase CheckoutCinemaId CheckoutOrderId CheckoutRequestId; do
  if printf '%s\n' "$registered" | grep -qw "$name"; then
    echo "search attribute $name already registered"
  else
    "$temporal" operator search-attribute create --namespace "$ns" --name "$name" --type Keyword
  fi
done
echo 'namespace and search attributes ready'
