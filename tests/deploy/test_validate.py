"""deploy/validate: every overlay renders with the real kustomize and passes; broken documents fail, each with a
message that names the document, the field and what is wrong."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from deploy.validate.__main__ import OVERLAYS, main, validate_documents
from deploy.validate.kustomize import Document, ensure_kustomize, render

OVERLAY_NAMES = ["large-city", "small-county"]
Change = Callable[[dict[str, Any]], object]


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[Document]]:
    binary = ensure_kustomize()  # installs the pinned kustomize once (Go module proxy), then reuses it
    return {name: render(OVERLAYS / name, binary) for name in OVERLAY_NAMES}


def find(docs: list[Document], kind: str, name: str) -> Document:
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


def problems_after(docs: list[Document], kind: str, name: str, change: Change) -> list[str]:
    """The validation messages once one document of a copy of `docs` is changed."""
    changed = copy.deepcopy(docs)
    change(find(changed, kind, name))
    return [str(p) for p in validate_documents(changed)]


def test_the_overlays_are_the_ones_tested() -> None:
    assert sorted(p.name for p in OVERLAYS.iterdir() if p.is_dir()) == OVERLAY_NAMES


@pytest.mark.parametrize("overlay", OVERLAY_NAMES)
def test_overlay_renders_and_validates(rendered: dict[str, list[Document]], overlay: str) -> None:
    assert [str(p) for p in validate_documents(rendered[overlay])] == []


@pytest.mark.parametrize("overlay", OVERLAY_NAMES)
def test_overlay_holds_the_whole_platform(rendered: dict[str, list[Document]], overlay: str) -> None:
    docs = rendered[overlay]
    names = {(d["kind"], d["metadata"]["name"]) for d in docs}
    services = ["clients", "plans", "matching", "notifications", "reporting"]
    for service in services:
        for kind, name in [("Deployment", service), ("Service", service), ("HorizontalPodAutoscaler", service),
                           ("PodDisruptionBudget", service), ("Job", f"{service}-migrate"),
                           ("Cluster", f"{service}-db"), ("ScheduledBackup", f"{service}-db-daily"),
                           ("NetworkPolicy", service)]:
            assert (kind, name) in names
    for topic in ["clients", "plans", "matching", "conflicts", "notifications"]:
        assert {("KafkaTopic", f"pzw.{topic}.v1"), ("KafkaTopic", f"pzw.{topic}.v1.dlq")} <= names
    assert len([n for k, n in names if k == "KafkaTopic" and n.startswith("pzw.regional.")]) == 16
    assert ("Deployment", "conflict-detector") in names
    assert ("NetworkPolicy", "default-deny") in names
    assert ("NetworkPolicy", "gateway") in names
    assert {d["kind"] for d in docs} >= {"Kafka", "KafkaNodePool", "Namespace", "ConfigMap"}


def test_sizes_differ_per_overlay(rendered: dict[str, list[Document]]) -> None:
    large, small = rendered["large-city"], rendered["small-county"]
    assert find(large, "KafkaTopic", "pzw.clients.v1")["spec"]["partitions"] == 12
    assert find(small, "KafkaTopic", "pzw.clients.v1")["spec"]["partitions"] == 6
    assert find(large, "Cluster", "clients-db")["spec"]["instances"] == 3
    assert find(small, "Cluster", "clients-db")["spec"]["instances"] == 2
    assert find(large, "HorizontalPodAutoscaler", "clients")["spec"]["maxReplicas"] == 10
    assert {d["metadata"]["name"] for d in large if d["kind"] == "KafkaNodePool"} == {"controllers", "brokers"}
    assert [d["spec"]["roles"] for d in small if d["kind"] == "KafkaNodePool"] == [["controller", "broker"]]


# Broken documents: the schema errors the brief names, and what the platform rules catch.

def test_bad_field_type_in_a_deployment_fails(rendered: dict[str, list[Document]]) -> None:
    def port_as_string(d: dict[str, Any]) -> None:
        d["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "8080"

    assert problems_after(rendered["large-city"], "Deployment", "clients", port_as_string) == [
        "Deployment/clients: spec.template.spec.containers[0].ports[0].containerPort: '8080' is not of type "
        "'integer' (kubernetes 1.33.0 schema)"]


def test_unknown_field_in_a_kafka_resource_fails(rendered: dict[str, list[Document]]) -> None:
    def zookeeper_era_field(d: dict[str, Any]) -> None:
        d["spec"]["kafka"]["replicas"] = 3

    assert problems_after(rendered["large-city"], "Kafka", "pzw", zookeeper_era_field) == [
        "Kafka/pzw: spec.kafka: Additional properties are not allowed ('replicas' was unexpected) (CRD schema)"]


def test_kafkatopic_with_partitions_as_a_string_fails(rendered: dict[str, list[Document]]) -> None:
    def quoted(d: dict[str, Any]) -> None:
        d["spec"]["partitions"] = "12"

    assert problems_after(rendered["large-city"], "KafkaTopic", "pzw.clients.v1", quoted) == [
        "KafkaTopic/pzw.clients.v1: spec.partitions: '12' is not of type 'integer' (CRD schema)"]


def test_unknown_field_in_a_cnpg_cluster_and_bad_metadata_fail(rendered: dict[str, list[Document]]) -> None:
    def typo(d: dict[str, Any]) -> None:
        d["spec"]["storage"]["sise"] = "1Gi"
        d["metadata"]["labels"]["tier"] = 1

    assert problems_after(rendered["small-county"], "Cluster", "plans-db", typo) == [
        "Cluster/plans-db: metadata.labels.tier: 1 is not of type 'string', 'null' (CRD schema)",
        "Cluster/plans-db: spec.storage: Additional properties are not allowed ('sise' was unexpected) (CRD schema)"]


def test_an_unknown_api_version_fails(rendered: dict[str, list[Document]]) -> None:
    def beta(d: dict[str, Any]) -> None:
        d["apiVersion"] = "policy/v1beta1"

    messages = problems_after(rendered["large-city"], "PodDisruptionBudget", "plans", beta)
    assert messages == ["PodDisruptionBudget/plans: no schema for apiVersion 'policy/v1beta1' kind "
                        "'PodDisruptionBudget' (not a Kubernetes 1.33.0 kind, nor a CRD in crds/)"]


def test_detector_topics_must_match_the_partition_setting(rendered: dict[str, list[Document]]) -> None:
    def more(d: dict[str, Any]) -> None:
        d["spec"]["partitions"] = 24

    assert problems_after(rendered["small-county"], "KafkaTopic", "pzw.plans.v1", more) == [
        "KafkaTopic/pzw.plans.v1: spec.partitions: 24 partitions but PZW_TOPIC_PARTITIONS=6: the conflict "
        "detector's tables must have as many partitions as the topics it reads"]


def test_a_service_may_only_read_its_own_database(rendered: dict[str, list[Document]]) -> None:
    def borrow(d: dict[str, Any]) -> None:
        env = d["spec"]["template"]["spec"]["containers"][0]["env"]
        database = next(e for e in env if e["name"].endswith("_DATABASE_URL"))
        database["valueFrom"]["secretKeyRef"]["name"] = "plans-db-app"

    messages = problems_after(rendered["large-city"], "Deployment", "reporting", borrow)
    assert messages == ["Deployment/reporting: env: reads plans-db-app, but a reporting pod may only use its own "
                        "database (reporting-db-app)"]


def test_connections_must_fit_max_connections(rendered: dict[str, list[Document]]) -> None:
    def scale_out(d: dict[str, Any]) -> None:
        d["spec"]["maxReplicas"] = 30

    messages = problems_after(rendered["large-city"], "HorizontalPodAutoscaler", "clients", scale_out)
    assert messages == ["Cluster/clients-db: spec.postgresql.parameters.max_connections: 200 is too few: 31 pods "
                        "at most x PZW_POOL_SIZE 10 + 10 reserved = 320"]


def test_containers_need_limits_and_servers_need_probes(rendered: dict[str, list[Document]]) -> None:
    def careless(d: dict[str, Any]) -> None:
        container = d["spec"]["template"]["spec"]["containers"][0]
        del container["resources"]["limits"]
        del container["readinessProbe"]

    assert problems_after(rendered["large-city"], "Deployment", "matching", careless) == [
        "Deployment/matching: spec.template.spec.containers[0].resources.limits: no cpu, memory",
        "Deployment/matching: spec.template.spec.containers[0].readinessProbe: an HTTP service needs GET "
        "/health/ready"]


def test_every_platform_topic_must_be_declared_and_kept(rendered: dict[str, list[Document]]) -> None:
    gone = {"pzw.conflicts.v1.dlq", "pzw.regional.24.v1"}
    docs = [d for d in copy.deepcopy(rendered["large-city"]) if d["metadata"]["name"] not in gone]
    find(docs, "KafkaTopic", "pzw.matching.v1")["spec"]["config"]["retention.ms"] = 604800000
    assert [str(p) for p in validate_documents(docs)] == [
        "KafkaTopic/pzw.conflicts.v1.dlq: missing: libs/events/topics.py declares it",
        "KafkaTopic/pzw.regional.24.v1: missing: a voivodeship of the regional feed",
        "KafkaTopic/pzw.matching.v1: spec.config: pzw.matching.v1: retention.ms must be -1 (projections replay "
        "topics from the beginning)"]


def test_a_document_outside_the_deploy_phases_fails(rendered: dict[str, list[Document]]) -> None:
    def unlabelled(d: dict[str, Any]) -> None:
        del d["metadata"]["labels"]["pzw/phase"]

    assert problems_after(rendered["large-city"], "KafkaNodePool", "brokers", unlabelled) == [
        "KafkaNodePool/brokers: metadata.labels: pzw/phase is None, not one of ('platform', 'data', 'migrate', "
        "'services'): deploy.sh would never apply it"]


def test_the_command_fails_on_a_broken_overlay(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """End to end: kustomize renders a broken overlay, the command lists the problem and exits 1."""
    overlay = tmp_path / "broken"
    overlay.mkdir()
    base = os.path.relpath(OVERLAYS / "small-county", overlay)  # kustomize takes relative paths only
    (overlay / "kustomization.yaml").write_text(f"""
resources: [{base}]
patches:
  - target: {{kind: Deployment, name: plans}}
    patch: |-
      - op: add
        path: /spec/template/spec/containers/0/readinessProbe/periodSeconds
        value: 10s
""")
    assert main([str(overlay)]) == 1
    out = capsys.readouterr().out
    assert "FAIL broken: 1 problem(s)" in out
    assert ("Deployment/plans: spec.template.spec.containers[0].readinessProbe.periodSeconds: '10s' is not of "
            "type 'integer', 'null'") in out


def test_the_command_passes_on_every_overlay(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert capsys.readouterr().out.count("ok   ") == len(OVERLAY_NAMES)
