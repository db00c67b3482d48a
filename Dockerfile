# One image for web and workers. GPU workers run it with the NVIDIA runtime; torch from PyPI
# ships the CUDA libraries it needs.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    REIDSITE_VAR_DIR=/data STATIC_ROOT=/app/staticfiles
WORKDIR /app

RUN apt-get update && apt-get install -y --no-install-recommends libgl1 libglib2.0-0 \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt requirements-detector.txt ./
RUN pip install -r requirements.txt && pip install --no-deps -r requirements-detector.txt
COPY . .
RUN DEBUG=1 python manage.py collectstatic --noinput

RUN useradd --create-home --uid 1000 reidsite && mkdir -p /data && chown reidsite /data
USER reidsite
EXPOSE 8000
# Workers: WEB_CONCURRENCY (gunicorn's own variable), 2 × cores + 1; see docker-compose.yml.
ENV WEB_CONCURRENCY=5
CMD ["gunicorn", "reidsite.wsgi:application", "--bind", "0.0.0.0:8000", "--timeout", "600"]
