# syntax=docker/dockerfile:1
# Trợ lý DTI in a container: the bot with its bundled data and migrations, as an unprivileged
# user, its SQLite database and evidence archive on the /var/lib/tro-ly-dti volume.
#   docker build -t tro-ly-dti .
#   docker run --env-file .env -v tro-ly-dti:/var/lib/tro-ly-dti -p 8080:8080 tro-ly-dti
# or, with PostgreSQL: docker compose up -d (compose.yaml).

ARG PYTHON_VERSION=3.11

FROM python:${PYTHON_VERSION}-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/tro-ly-dti
COPY . /src
# A regular (not editable) install: the packages, data/ and the migrations go into the venv.
RUN /opt/tro-ly-dti/bin/pip install /src

FROM python:${PYTHON_VERSION}-slim
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/tro-ly-dti/bin:$PATH \
    DATABASE_URL=sqlite+aiosqlite:////var/lib/tro-ly-dti/dti.sqlite3 \
    EVIDENCE_DIR=/var/lib/tro-ly-dti/evidence \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8080
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/tro-ly-dti \
        --shell /usr/sbin/nologin tro-ly-dti \
    && install -d -o tro-ly-dti -g tro-ly-dti -m 750 /var/lib/tro-ly-dti
COPY --from=build /opt/tro-ly-dti /opt/tro-ly-dti
USER tro-ly-dti
WORKDIR /var/lib/tro-ly-dti
VOLUME ["/var/lib/tro-ly-dti"]
# /healthz and /metrics; the webhook too when WEBHOOK_URL is set.
EXPOSE 8080
# 200 only when the database answers and the reminder job ticked recently (urlopen raises on 503).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('HTTP_PORT', '8080'), timeout=4)" || exit 1
# Exit status 2 is a configuration problem (one line in the log says which): fix, then restart.
CMD ["tro-ly-dti"]
