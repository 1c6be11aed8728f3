# One image build, one target per service. Slim, pinned, non-root.
#   docker build --target gateway -t keel-gateway .
FROM python:3.11.14-slim-bookworm AS source
ENV UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
RUN pip install --no-cache-dir uv==0.13.8
WORKDIR /src
COPY pyproject.toml uv.lock ./
COPY libs libs
COPY services services

FROM source AS build
# Only the runtime packages: no dev stack binaries, no test tools.
RUN uv venv /opt/keel \
 && VIRTUAL_ENV=/opt/keel uv pip install --no-cache \
      ./libs/common ./services/auth ./services/secrets ./services/metadata ./services/gateway

FROM python:3.11.14-slim-bookworm AS runtime
RUN useradd --system --uid 10001 --no-create-home keel
COPY --from=build /opt/keel /opt/keel
COPY infra/docker/kafka_connected.py /opt/keel/kafka_connected.py
ENV PATH=/opt/keel/bin:$PATH PYTHONUNBUFFERED=1 KEEL_LOG_FORMAT=json
USER keel
# auth, secrets and metadata serve no HTTP: healthy while connected to Kafka (the gateway
# replaces this with its /healthz).
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD ["python", "/opt/keel/kafka_connected.py"]

FROM runtime AS auth
CMD ["keel-auth"]

FROM runtime AS secrets
CMD ["keel-secrets"]

FROM runtime AS metadata
CMD ["keel-metadata"]

FROM runtime AS gateway
EXPOSE 8080
# MLflow artifacts kept on disk (when no S3 bucket is set): a directory the gateway's user
# owns, for a volume to be mounted on (a named volume takes the owner from the image).
USER root
RUN mkdir -p /var/lib/keel/artifacts && chown keel /var/lib/keel/artifacts
USER keel
ENV KEEL_GATEWAY_HOST=0.0.0.0 KEEL_GATEWAY_ARTIFACT_ROOT=/var/lib/keel/artifacts
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2)"]
CMD ["keel-gateway"]

# The Scenario 2 relay agent, run inside the customer's network: its own build with only
# keel-common and keel-secrets (no auth/metadata/gateway code in the customer's cluster).
#   docker build --target relay -t keel-relay .
FROM source AS relay-build
RUN uv venv /opt/keel \
 && VIRTUAL_ENV=/opt/keel uv pip install --no-cache ./libs/common ./services/secrets

FROM python:3.11.14-slim-bookworm AS relay
RUN groupadd --system --gid 10001 keel \
 && useradd --system --uid 10001 --gid keel --no-create-home keel \
 && install -d -o keel -g keel -m 0700 /var/lib/keel-relay
COPY --from=relay-build /opt/keel /opt/keel
ENV PATH=/opt/keel/bin:$PATH PYTHONUNBUFFERED=1 KEEL_LOG_FORMAT=json \
    KEEL_KAFKA_PROFILE=kafka \
    KEEL_RELAY_HTTP_HOST=0.0.0.0 KEEL_RELAY_HTTP_PORT=8090 \
    KEEL_RELAY_STATE_DIR=/var/lib/keel-relay
USER 10001:10001
EXPOSE 8090
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('KEEL_RELAY_HTTP_PORT', '8090'), timeout=2)"]
ENTRYPOINT ["keel-relay"]
