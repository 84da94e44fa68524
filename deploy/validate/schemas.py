"""Schema validation of rendered documents: built-in kinds against the Kubernetes OpenAPI schemas shipped by
`kubernetes-validate`, operator kinds against the openAPIV3Schema of their CRDs (copied into ./crds)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import referencing
import yaml

from deploy.validate.kustomize import LOADER, Document

# The oldest Kubernetes minor the manifests must work on (every API they use is GA there). The strict variant of
# the schemas rejects unknown fields, as the API server's strict field validation (kubectl's default) does.
KUBERNETES_VERSION = "1.33.0"
CRD_DIR = Path(__file__).resolve().parent / "crds"
_DEFINITIONS_ID = "https://kubernetes.io/api/_definitions.json"
_OBJECT_META = f"{_DEFINITIONS_ID}#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with one rendered document; `where` is a dotted path inside it (empty: the whole one)."""

    document: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.document}: {self.where + ': ' if self.where else ''}{self.message}"


def describe(doc: Document) -> str:
    """`Kind/name` of a document, the way kubectl names it."""
    return f"{doc.get('kind', '?')}/{(doc.get('metadata') or {}).get('name', '?')}"


def _schema_dir() -> Any:
    return resources.files("kubernetes_validate") / "kubernetes-json-schema" / f"v{KUBERNETES_VERSION}-local-strict"


@cache
def _registry() -> referencing.Registry[Any]:
    """The Kubernetes definitions every schema refers to (loaded once: 1.4 MB)."""
    definitions = json.loads((_schema_dir() / "_definitions.json").read_text())
    registry: referencing.Registry[Any] = referencing.Registry().with_resource(
        _DEFINITIONS_ID, referencing.Resource.from_contents(definitions))
    return registry


@cache
def _builtin_schema(api_version: str, kind: str) -> dict[str, Any] | None:
    # kubernetes-validate's file names: `apps/v1` -> `apps-v1`, `networking.k8s.io/v1` -> `networking-v1`, `v1`.
    group, _, version = api_version.rpartition("/")
    name = f"{kind.lower()}-{group.split('.')[0] + '-' if group else ''}{version}.json"
    path = _schema_dir() / name
    return json.loads(path.read_text()) if path.is_file() else None


def _closed(schema: Any) -> Any:
    """A CRD's structural schema as JSON Schema that refuses unknown fields, as the API server does.

    An object that lists its properties gets `additionalProperties: false` unless it keeps unknown fields
    (`x-kubernetes-preserve-unknown-fields`) or says what else it allows.
    """
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    closed = {key: _closed(value) for key, value in schema.items()}
    if ("properties" in schema and "additionalProperties" not in schema
            and not schema.get("x-kubernetes-preserve-unknown-fields")):
        closed["additionalProperties"] = False
    return closed


@cache
def _crd_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> JSON Schema, for every served version of every CRD in ./crds."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(CRD_DIR.glob("*.yaml")):
        for crd in yaml.load_all(path.read_text(), Loader=LOADER):
            if not crd or crd.get("kind") != "CustomResourceDefinition":
                continue
            group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
            for version in crd["spec"]["versions"]:
                if not version.get("served", True):
                    continue
                schema = _closed(version["schema"]["openAPIV3Schema"])
                # The CRD leaves metadata open; the API server checks it as ObjectMeta, and so do we.
                schema.setdefault("properties", {})["metadata"] = {"$ref": _OBJECT_META}
                found[(f"{group}/{version['name']}", kind)] = schema
    return found


def schema_for(doc: Document) -> tuple[str, dict[str, Any]] | None:
    """Where the schema of a document comes from (`kubernetes 1.33` or `CRD`) and the schema, if known."""
    api_version, kind = str(doc.get("apiVersion", "")), str(doc.get("kind", ""))
    crd = _crd_schemas().get((api_version, kind))
    if crd is not None:
        return "CRD", crd
    builtin = _builtin_schema(api_version, kind)
    return (f"kubernetes {KUBERNETES_VERSION}", builtin) if builtin is not None else None


def _path(error: jsonschema.ValidationError) -> str:
    parts = [f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path]
    return "".join(parts).lstrip(".")


def validate_document(doc: Document) -> Iterator[Problem]:
    """Every schema error of one document; an unknown apiVersion/kind is an error too (a typo must not pass)."""
    found = schema_for(doc)
    if found is None:
        yield Problem(describe(doc), "", f"no schema for apiVersion {doc.get('apiVersion')!r} kind "
                                        f"{doc.get('kind')!r} (not a Kubernetes {KUBERNETES_VERSION} kind, "
                                        f"nor a CRD in {CRD_DIR.name}/)")
        return
    source, schema = found
    validator = jsonschema.Draft202012Validator(schema, registry=_registry())
    for error in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        yield Problem(describe(doc), _path(error), f"{error.message} ({source} schema)")
