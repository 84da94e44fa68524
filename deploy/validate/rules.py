"""Platform rules over a whole rendered overlay: what no schema can know (settings that must agree across
documents, the database each service may use, numbers the design depends on)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from deploy.validate.kustomize import Document
from deploy.validate.schemas import Problem, describe
from libs.events import topics as platform_topics

# TERYT codes of the 16 voivodeships: the regional feed has a topic for each (pzw.regional.<code>.v1).
VOIVODESHIPS = tuple(f"{code:02d}" for code in range(2, 33, 2))

PHASES = ("platform", "data", "migrate", "services")  # the order deploy.sh applies them in
DETECTOR_TOPICS = (platform_topics.CLIENTS, platform_topics.PLANS, platform_topics.MATCHING)
RESERVED_CONNECTIONS = 10  # superuser_reserved_connections (3) and the operator's own, with room to spare
_TOPIC = re.compile(r"^pzw\.[a-z]+\.v[0-9]+$")  # a topic constant of libs/events/topics.py
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")

Rule = Callable[[list[Document]], Iterator[Problem]]


def _of(docs: list[Document], kind: str) -> list[Document]:
    return [d for d in docs if d.get("kind") == kind]


def _pod_spec(doc: Document) -> dict[str, Any]:
    return dict(doc.get("spec", {}).get("template", {}).get("spec", {}))


def _settings(docs: list[Document]) -> dict[str, str]:
    """The platform ConfigMap's data (the one that sets PZW_TOPIC_PARTITIONS)."""
    for config in _of(docs, "ConfigMap"):
        if "PZW_TOPIC_PARTITIONS" in config.get("data", {}):
            return dict(config["data"])
    return {}


def names_and_phases(docs: list[Document]) -> Iterator[Problem]:
    """Every name is a DNS subdomain, and every document is in a phase deploy.sh applies."""
    for doc in docs:
        name = str(doc.get("metadata", {}).get("name", ""))
        if not _DNS_SUBDOMAIN.match(name) or len(name) > 253:
            yield Problem(describe(doc), "metadata.name", f"{name!r} is not a valid Kubernetes name")
        phase = doc.get("metadata", {}).get("labels", {}).get("pzw/phase")
        if phase not in PHASES:
            yield Problem(describe(doc), "metadata.labels", f"pzw/phase is {phase!r}, not one of {PHASES}: "
                                                            "deploy.sh would never apply it")


def topics(docs: list[Document]) -> Iterator[Problem]:
    """Every platform topic with its dead-letter topic, and every regional feed topic, is declared; every topic
    is replicated 3 times and kept forever."""
    declared = {d.get("spec", {}).get("topicName", d["metadata"]["name"]): d for d in _of(docs, "KafkaTopic")}
    wanted = [v for v in vars(platform_topics).values() if isinstance(v, str) and _TOPIC.match(v)]
    for topic in wanted:
        for name in (topic, f"{topic}.dlq"):
            if name not in declared:
                yield Problem(f"KafkaTopic/{name}", "", "missing: libs/events/topics.py declares it")
    for code in VOIVODESHIPS:  # the feed's topic names: services/reporting/regional/deidentify.py topic_of
        if f"pzw.regional.{code}.v1" not in declared:
            yield Problem(f"KafkaTopic/pzw.regional.{code}.v1", "", "missing: a voivodeship of the regional feed")
    for name, doc in declared.items():
        spec = doc.get("spec", {})
        config = spec.get("config", {})
        if spec.get("replicas") != 3 or str(config.get("min.insync.replicas")) != "2":
            yield Problem(describe(doc), "spec", "needs replicas 3 and min.insync.replicas 2 (no acknowledged "
                                                 "event lost with one broker down)")
        if str(config.get("retention.ms")) != "-1":
            yield Problem(describe(doc), "spec.config", f"{name}: retention.ms must be -1 (projections replay "
                                                        "topics from the beginning)")


def co_partitioning(docs: list[Document]) -> Iterator[Problem]:
    """The detector's input topics all have PZW_TOPIC_PARTITIONS partitions (its tables are co-partitioned)."""
    setting = _settings(docs).get("PZW_TOPIC_PARTITIONS")
    declared = {d["metadata"]["name"]: d.get("spec", {}).get("partitions") for d in _of(docs, "KafkaTopic")}
    for topic in DETECTOR_TOPICS:
        if topic in declared and str(declared[topic]) != str(setting):
            yield Problem(f"KafkaTopic/{topic}", "spec.partitions",
                          f"{declared[topic]} partitions but PZW_TOPIC_PARTITIONS={setting}: the conflict "
                          "detector's tables must have as many partitions as the topics it reads")


def workloads(docs: list[Document]) -> Iterator[Problem]:
    """Containers have requests and limits; HTTP servers have readiness and liveness probes."""
    for doc in _of(docs, "Deployment") + _of(docs, "Job"):
        for n, container in enumerate(_pod_spec(doc).get("containers", [])):
            where = f"spec.template.spec.containers[{n}]"
            resources = container.get("resources", {})
            for part in ("requests", "limits"):
                missing = {"cpu", "memory"} - set(resources.get(part, {}))
                if missing:
                    yield Problem(describe(doc), f"{where}.resources.{part}", f"no {', '.join(sorted(missing))}")
            labels = doc["spec"]["template"].get("metadata", {}).get("labels", {})
            if doc["kind"] == "Deployment" and labels.get("app.kubernetes.io/component") == "server":
                for probe, path in (("readinessProbe", "/health/ready"), ("livenessProbe", "/health/live")):
                    if container.get(probe, {}).get("httpGet", {}).get("path") != path:
                        yield Problem(describe(doc), f"{where}.{probe}", f"an HTTP service needs GET {path}")


def _database_secrets(doc: Document) -> set[str]:
    pod = _pod_spec(doc)
    return {env["valueFrom"]["secretKeyRef"]["name"]
            for container in pod.get("containers", []) for env in container.get("env", [])
            if "secretKeyRef" in env.get("valueFrom", {}) and env["name"].endswith("_DATABASE_URL")}


def databases(docs: list[Document]) -> Iterator[Problem]:
    """Each workload reads its own service's database (`<name>-db-app`), which a CNPG Cluster provides, and the
    connections all its pods may open fit in that database's max_connections."""
    clusters = {d["metadata"]["name"]: d for d in _of(docs, "Cluster")}
    hpa_max = {d["spec"]["scaleTargetRef"]["name"]: d["spec"]["maxReplicas"]
               for d in _of(docs, "HorizontalPodAutoscaler")}
    pool = int(_settings(docs).get("PZW_POOL_SIZE", "20"))  # ServiceSettings.pool_size's default
    pods: dict[str, int] = {}
    for doc in _of(docs, "Deployment") + _of(docs, "Job"):
        service = doc["spec"]["template"].get("metadata", {}).get("labels", {}).get("app.kubernetes.io/name")
        for secret in _database_secrets(doc):
            if secret != f"{service}-db-app":
                yield Problem(describe(doc), "env", f"reads {secret}, but a {service} pod may only use its own "
                                                    f"database ({service}-db-app)")
            cluster = secret.removesuffix("-app")
            if cluster not in clusters:
                yield Problem(describe(doc), "env", f"{secret}: no CNPG Cluster {cluster} creates this Secret")
                continue
            # A Job runs one pod; a Deployment up to its HPA's maximum, else its replicas.
            name = doc["metadata"]["name"]
            count = 1 if doc["kind"] == "Job" else hpa_max.get(name, doc["spec"].get("replicas", 1))
            pods[cluster] = pods.get(cluster, 0) + count
    for name, count in pods.items():
        limit = int(clusters[name]["spec"].get("postgresql", {}).get("parameters", {}).get("max_connections", 100))
        if count * pool + RESERVED_CONNECTIONS > limit:
            yield Problem(f"Cluster/{name}", "spec.postgresql.parameters.max_connections",
                          f"{limit} is too few: {count} pods at most x PZW_POOL_SIZE {pool} + "
                          f"{RESERVED_CONNECTIONS} reserved = {count * pool + RESERVED_CONNECTIONS}")
    for backup in _of(docs, "ScheduledBackup"):
        if backup["spec"]["cluster"]["name"] not in clusters:
            yield Problem(describe(backup), "spec.cluster", f"no Cluster {backup['spec']['cluster']['name']}")


RULES: tuple[Rule, ...] = (names_and_phases, topics, co_partitioning, workloads, databases)


def check(docs: list[Document]) -> Iterator[Problem]:
    """Every platform rule over one rendered overlay; a rule that trips over a malformed document says so."""
    for rule in RULES:
        try:
            yield from rule(docs)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            yield Problem(f"rule {rule.__name__}", "", f"could not run on these documents ({exc!r}); fix the "
                                                       "schema errors first")
