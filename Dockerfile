# One image build, one target per service. Slim, pinned, non-root.
#   docker build --target gateway -t keel-gateway .
FROM python:3.11.14-slim-bookworm AS build
ENV UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
RUN pip install --no-cache-dir uv==0.13.8
WORKDIR /src
COPY pyproject.toml uv.lock ./
COPY libs libs
COPY services services
# Only the runtime packages: no dev stack binaries, no test tools.
RUN uv venv /opt/keel \
 && VIRTUAL_ENV=/opt/keel uv pip install --no-cache \
      ./libs/common ./services/auth ./services/secrets ./services/metadata ./services/gateway

FROM python:3.11.14-slim-bookworm AS runtime
RUN useradd --system --uid 10001 --no-create-home keel
COPY --from=build /opt/keel /opt/keel
ENV PATH=/opt/keel/bin:$PATH PYTHONUNBUFFERED=1 KEEL_LOG_FORMAT=json
USER keel

FROM runtime AS auth
CMD ["keel-auth"]

FROM runtime AS secrets
CMD ["keel-secrets"]

FROM runtime AS metadata
CMD ["keel-metadata"]

FROM runtime AS gateway
EXPOSE 8080
ENV KEEL_GATEWAY_HOST=0.0.0.0
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2)"]
CMD ["keel-gateway"]
