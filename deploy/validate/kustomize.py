"""The real kustomize binary: installed once from the Go module proxy into .cache/bin, then used to render."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
VERSION = "v5.7.1"
MODULE = f"sigs.k8s.io/kustomize/kustomize/v5@{VERSION}"
BIN_DIR = REPO / ".cache" / "bin"
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: the CRDs are large

Document = dict[str, Any]


class KustomizeError(RuntimeError):
    """kustomize could not be installed, or refused to render an overlay."""


def installed_version(binary: Path) -> str | None:
    """The version a kustomize binary reports (`v5.7.1`), or None when it does not run."""
    try:
        done = subprocess.run([str(binary), "version"], capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def ensure_kustomize() -> Path:
    """The pinned kustomize, installed with `go install` when it is absent or another version (idempotent).

    PZW_KUSTOMIZE names a binary to use instead (it must be the pinned version too).
    """
    binary = Path(os.environ.get("PZW_KUSTOMIZE", BIN_DIR / "kustomize"))
    if installed_version(binary) == VERSION:
        return binary
    if "PZW_KUSTOMIZE" in os.environ:
        raise KustomizeError(f"PZW_KUSTOMIZE={binary} is not kustomize {VERSION}")
    go = shutil.which("go") or shutil.which("go", path="/usr/local/go/bin")  # Go's own install location
    if go is None:
        raise KustomizeError(f"kustomize {VERSION} is not in {BIN_DIR} and there is no `go` to install it with")
    print(f"install: kustomize {VERSION} (Go module proxy) into {BIN_DIR}", flush=True)
    BIN_DIR.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([go, "install", MODULE], env={**os.environ, "GOBIN": str(BIN_DIR)},
                          capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0 or installed_version(binary) != VERSION:
        raise KustomizeError(f"`go install {MODULE}` failed:\n{done.stderr.strip()}")
    return binary


def render(kustomization: Path, binary: Path | None = None) -> list[Document]:
    """`kustomize build` of a directory, as parsed documents (empty documents dropped)."""
    done = subprocess.run([str(binary or ensure_kustomize()), "build", str(kustomization)],
                          capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise KustomizeError(f"kustomize build {kustomization} failed:\n{done.stderr.strip()}")
    return [doc for doc in yaml.load_all(done.stdout, Loader=LOADER) if doc]
