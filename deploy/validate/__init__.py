"""Offline validation of the Kubernetes manifests: render every overlay with the real kustomize, check every
document against the Kubernetes and operator (CRD) schemas, then the platform's own rules. `make validate-k8s`."""
