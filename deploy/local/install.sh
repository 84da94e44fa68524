#!/usr/bin/env bash
# Installs what the platform needs on a fresh Debian machine of this kind; safe to run again (each step is skipped
# when its result is already present). Used by `make run`, `make test` and `make bench`.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then sudo_if_needed apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# PostgreSQL server (Debian package); the cluster itself is created per run in a local folder.
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  echo "install: PostgreSQL server (apt)"; apt_install postgresql postgresql-contrib
fi
# Java runtime and Maven resolve and run the Kafka broker.
command -v java >/dev/null 2>&1 || { echo "install: Java 17 (apt)"; apt_install openjdk-17-jre-headless; }
command -v mvn >/dev/null 2>&1 || { echo "install: Maven (apt)"; apt_install maven; }

# Chromium from Debian for the browser tests (tests/browser, driven by the playwright package; no browser download).
command -v chromium >/dev/null 2>&1 || { echo "install: Chromium (apt)"; apt_install chromium; }

# Apache Kafka jars from Maven Central, cached in .cache/kafka/libs (git-ignored).
kafka_libs="$repo/.cache/kafka/libs"
if [ ! -f "$kafka_libs/.complete" ] || [ deploy/local/kafka/pom.xml -nt "$kafka_libs/.complete" ]; then
  echo "install: Apache Kafka jars (Maven Central)"
  rm -rf "$kafka_libs"; mkdir -p "$kafka_libs"
  mvn -q -B -f deploy/local/kafka/pom.xml dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$kafka_libs"
  touch "$kafka_libs/.complete"
fi

# Python environment from the lock file.
if ! command -v uv >/dev/null 2>&1; then
  echo "install: uv (PyPI)"; python3 -m pip install -q --disable-pip-version-check uv==0.13.9
fi
uv sync --frozen --quiet
