# syntax=docker/dockerfile:1
# The newsworker image: the worker and its CLI (newsworker worker|topics|produce|process).
#   docker build -t newsworker .
#   docker run --rm -e NEWSWORKER_BROKER=kafka://kafka:9092 newsworker            # the worker
#   docker run --rm ... newsworker topics | produce samples/demo.jsonl             # the tools
# The rocksdb extra is installed so that NEWSWORKER_STORE=rocksdb:// works (deploy/k8s uses it);
# the dev extra (embedded test broker, pytest) is not.

ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Dependencies first, pinned by constraints.txt (pip-compile, see README), so that a code change does not
# reinstall them and the image gets the versions CI tested.
COPY pyproject.toml setup.py constraints.txt ./
RUN python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
print('\n'.join(p['dependencies'] + p['optional-dependencies']['rocksdb']))" > /tmp/requirements.txt \
 && pip install -c constraints.txt -r /tmp/requirements.txt
COPY . .
# The build check runs the real pipeline on the bundled sample (imports every dependency, no internal errors),
# not just --help.
RUN pip install --no-deps ".[rocksdb]" \
 && newsworker process -i samples/demo.jsonl -o /tmp/sample-out.jsonl \
 && python -m workers.samples.check /tmp/sample-out.jsonl && rm /tmp/sample-out.jsonl

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="newsworker" \
      org.opencontainers.image.description="Streaming news-processing worker (Faust on Kafka)" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    NEWSWORKER_STATE_DIR=/var/lib/newsworker \
    NEWSWORKER_WEB_PORT=6066
RUN groupadd --system --gid 10001 newsworker \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin newsworker \
 && mkdir -p /app /var/lib/newsworker \
 && chown newsworker:newsworker /var/lib/newsworker
COPY --from=build /opt/venv /opt/venv
# The sample feed, for `newsworker produce samples/demo.jsonl` (the docker-compose producer).
COPY samples/demo.jsonl /app/samples/demo.jsonl
WORKDIR /app
USER 10001:10001
EXPOSE 6066
# Liveness: the worker's web server answers /healthz while the process is alive (readiness is /readyz).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=4 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('NEWSWORKER_WEB_PORT', '6066'), timeout=4)"]
ENTRYPOINT ["newsworker"]
CMD ["worker"]
