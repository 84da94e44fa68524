# syntax=docker/dockerfile:1
# One image for every PZW process (clients, plans, matching, conflict-detector, notifications, reporting), each
# started by name through deploy/docker/entrypoint.sh: `docker run <image> clients` or `<image> clients migrate`.
# Dependencies come from uv.lock only (`uv sync --frozen --no-dev`): the image runs exactly what CI tested.
# Not built on the development machines (they have no Docker engine); see docs/operations.md.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
# The same uv release deploy/local/install.sh installs, from PyPI (the only registry the build needs).
RUN pip install --no-cache-dir --disable-pip-version-check uv==0.13.9
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app
# Dependencies first, in their own layer: they change less often than the code.
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --no-dev --no-install-project
COPY libs ./libs
COPY services ./services
# The project itself, installed editable: the SQL migrations and TOML rules are read from the source tree.
RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --no-dev

FROM ${PYTHON_IMAGE}
# A fixed numeric uid/gid so that Kubernetes' runAsNonRoot can verify it without a passwd lookup.
RUN groupadd --system --gid 10001 pzw && useradd --system --uid 10001 --gid pzw --no-create-home pzw
WORKDIR /app
COPY --from=build --chown=root:root /app /app
COPY --chmod=0755 deploy/docker/entrypoint.sh /usr/local/bin/pzw
ENV PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    PZW_HTTP_HOST=0.0.0.0 PZW_HTTP_PORT=8080 PZW_MATCHING_STREAM_DATA_DIR=/var/lib/pzw/faust
RUN mkdir -p /var/lib/pzw/faust && chown -R pzw:pzw /var/lib/pzw
USER 10001:10001
EXPOSE 8080
# For the HTTP services (the conflict detector has no HTTP: compose disables this check for it). Kubernetes
# ignores HEALTHCHECK and uses the probes in deploy/k8s instead.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PZW_HTTP_PORT', '8080') + '/health/live', timeout=2)"]
ENTRYPOINT ["pzw"]
CMD ["--help"]
