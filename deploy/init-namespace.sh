#!/bin/sh
# Creates the namespace and registers the checkout's search attributes (workflows/search-attributes.ts).
# Idempotent: safe on every `docker compose up`.
set -eu
ns="${TEMPORAL_NAMESPACE:-default}"
until temporal operator cluster health >/dev/null 2>&1; do echo 'waiting for temporal'; sleep 1; done
temporal operator namespace describe --namespace "$ns" >/dev/null 2>&1 || temporal operator namespace create --namespace "$ns" --retention 72h
for name in CheckoutPhase CheckoutCinemaId CheckoutOrderId CheckoutRequestId; do
  temporal operator search-attribute create --namespace "$ns" --name "$name" --type Keyword 2>/dev/null || echo "search attribute $name already registered"
done
echo 'namespace and search attributes ready'
