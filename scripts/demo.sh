#!/usr/bin/env bash
# `make demo`: the app with demo data on embedded defaults. SQLite, local files, and a real
# Celery worker on kombu's filesystem broker, so no Redis or PostgreSQL is needed.
# DEMO_DATA=DIR imports a wildlife-datasets folder (train = confirmed gallery, test = a batch).
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=reidsite.settings
# The embedded defaults, whatever the shell has set.
unset DATABASE_URL REDIS_URL CELERY_BROKER_URL
PORT="${PORT:-8000}"
mkdir -p var

.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py demo_setup ${DEMO_DATA:+--data "$DEMO_DATA"}

echo "==> starting Celery workers for the cpu, gpu and train queues and celery beat on the filesystem broker (var/worker-*.log, var/beat.log)"
# One process per queue, as in production: ingest keeps going while the models work.
.venv/bin/celery -A reidsite worker --queues cpu --pool solo -n cpu@%h \
  --loglevel INFO >var/worker-cpu.log 2>&1 &
cpu_pid=$!
.venv/bin/celery -A reidsite worker --queues gpu --pool solo -n gpu@%h \
  --loglevel INFO >var/worker-gpu.log 2>&1 &
gpu_pid=$!
# Fine-tuning a project's global model takes minutes: its own process, beside the gpu one.
.venv/bin/celery -A reidsite worker --queues train --pool solo -n train@%h \
  --loglevel INFO >var/worker-train.log 2>&1 &
train_pid=$!
# celery beat sends the sweeper's task, which re-queues batches that stopped making progress.
.venv/bin/celery -A reidsite beat --schedule var/celerybeat-schedule \
  --loglevel INFO >var/beat.log 2>&1 &
beat_pid=$!
stop_workers() {
  kill "$cpu_pid" "$gpu_pid" "$train_pid" "$beat_pid" 2>/dev/null || true
  wait "$cpu_pid" "$gpu_pid" "$train_pid" "$beat_pid" 2>/dev/null || true
}
trap stop_workers EXIT INT TERM

cat <<MSG

  reidsite demo is starting at http://127.0.0.1:$PORT/
  Sign in as  demo / demo  (admin of the demo project; also staff for /admin/)
              ranger / ranger   and   expert / expert  show the other roles.
  The worker is extracting features and matching in the background (var/worker-*.log):
  the batch page shows its progress. Stop with Ctrl-C.

MSG
.venv/bin/python manage.py runserver "127.0.0.1:$PORT" --noreload
