#!/usr/bin/env bash
# Deploy (or upgrade) one overlay in four ordered phases: deploy/k8s/deploy.sh large-city
#   platform  namespace, settings, service account, network policies
#   data      Kafka, its node pools and topics, the PostgreSQL clusters and their backups; waits until Ready
#   migrate   one Job per service (`<service> migrate`); waits until every one has completed
#   services  the Deployments, Services, HPAs and PDBs; waits for the rollouts
# Needs kubectl with access to the cluster, the Strimzi and CloudNativePG operators installed, and kustomize
# (the pinned one: `make validate-k8s` installs it into .cache/bin). Why this order: docs/operations.md, "Deploy".
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
overlay="${1:?usage: deploy/k8s/deploy.sh <overlay> (a directory of deploy/k8s/overlays)}"
ns="${PZW_NAMESPACE:-pzw}"
kustomize="${PZW_KUSTOMIZE:-$repo/.cache/bin/kustomize}"
[ -x "$kustomize" ] || kustomize="$(command -v kustomize)" || { echo "no kustomize: run make validate-k8s"; exit 1; }

for crd in kafkas.kafka.strimzi.io kafkanodepools.kafka.strimzi.io kafkatopics.kafka.strimzi.io \
           clusters.postgresql.cnpg.io scheduledbackups.postgresql.cnpg.io; do
  kubectl get crd "$crd" >/dev/null || { echo "CRD $crd missing: install the Strimzi and CNPG operators first"; exit 1; }
done

# The same offline validation as CI, when the project's Python environment is here.
if [ -x "$repo/.venv/bin/python" ]; then
  (cd "$repo" && .venv/bin/python -m deploy.validate "deploy/k8s/overlays/$overlay")
fi

rendered="$(mktemp)"
trap 'rm -f "$rendered"' EXIT
"$kustomize" build "$repo/deploy/k8s/overlays/$overlay" >"$rendered"
apply_phase() { echo "== phase $1"; kubectl apply -f "$rendered" -l "pzw/phase=$1"; }

apply_phase platform
# Secrets that are never in git; created once per cluster by an operator (docs/operations.md, "Configuration").
for secret in pzw-platform-key pzw-master-key pzw-backup-s3; do
  kubectl get secret -n "$ns" "$secret" >/dev/null || { echo "secret $ns/$secret missing (see docs)"; exit 1; }
done

apply_phase data
kubectl wait -n "$ns" kafka/pzw --for=condition=Ready --timeout=20m
kubectl wait -n "$ns" kafkatopic -l pzw/phase=data --for=condition=Ready --timeout=5m
kubectl wait -n "$ns" cluster.postgresql.cnpg.io -l pzw/phase=data --for=condition=Ready --timeout=20m

# A Job's pod template is immutable: the previous release's Jobs go first, then this release's run.
kubectl delete job -n "$ns" -l pzw/phase=migrate --ignore-not-found --wait
apply_phase migrate
for job in $(kubectl get job -n "$ns" -l pzw/phase=migrate -o name); do
  until state="$(kubectl get -n "$ns" "$job" -o jsonpath='{.status.conditions[?(@.status=="True")].type}')"; \
        [[ "$state" == *Complete* || "$state" == *Failed* ]]; do sleep 5; done
  if [[ "$state" == *Failed* ]]; then
    kubectl logs -n "$ns" "$job" --tail=100 || true
    echo "$job failed: the release stops here; the running services are unchanged"; exit 1
  fi
  echo "$job completed"
done

apply_phase services
for deployment in $(kubectl get deployment -n "$ns" -l pzw/phase=services -o name); do
  kubectl rollout status -n "$ns" "$deployment" --timeout=10m
done
echo "deployed $overlay"
