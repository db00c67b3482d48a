#!/usr/bin/env bash
# The whole test suite against real PostgreSQL 15 and Redis, as CI runs it.
# Extra arguments go to pytest, e.g. scripts/test.sh tests/ingest -x
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh test
eval "$(scripts/services.sh start)"
trap 'scripts/services.sh stop "$REIDSITE_SERVICES_DIR"' EXIT
# The database named in DATABASE_URL must exist for Django to connect and create test_reidsite.
psql_url="${DATABASE_URL%/*}/postgres"
.venv/bin/python - "$psql_url" <<'PY'
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    if not conn.execute("select 1 from pg_database where datname='reidsite'").fetchone():
        conn.execute("create database reidsite")
PY
export DJANGO_ALLOW_ASYNC_UNSAFE=true
echo "==> pytest on PostgreSQL ($DATABASE_URL) and Redis ($REDIS_URL)"
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
exit $status
