"""`python -m deploy.validate [KUSTOMIZATION_DIR ...]`: render and validate (default: every overlay).

Exits 1 and lists every problem when one document is wrong; CI runs it through `make lint`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from deploy.validate.kustomize import REPO, Document, KustomizeError, render
from deploy.validate.rules import RULES, check
from deploy.validate.schemas import KUBERNETES_VERSION, Problem, validate_document

OVERLAYS = REPO / "deploy" / "k8s" / "overlays"


def validate_documents(docs: list[Document]) -> list[Problem]:
    """Schema problems of every document, then the platform rules over all of them."""
    problems = [problem for doc in docs for problem in validate_document(doc)]
    return problems + list(check(docs))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.validate", description=__doc__)
    parser.add_argument("paths", nargs="*", type=Path, help="kustomization directories (default: every overlay)")
    args = parser.parse_args(argv)
    paths = args.paths or sorted(p for p in OVERLAYS.iterdir() if (p / "kustomization.yaml").is_file())
    failed = False
    for path in paths:
        try:
            docs = render(path)
        except KustomizeError as exc:
            print(f"FAIL {path}: {exc}")
            failed = True
            continue
        problems = validate_documents(docs)
        if problems:
            failed = True
            print(f"FAIL {path.name}: {len(problems)} problem(s) in {len(docs)} documents")
            for problem in problems:
                print(f"  {problem}")
        else:
            print(f"ok   {path.name}: {len(docs)} documents (Kubernetes {KUBERNETES_VERSION} and CRD schemas, "
                  f"{len(RULES)} platform rules)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
