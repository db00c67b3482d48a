"""Celery tasks. Celery's autodiscovery imports this package; each module registers its tasks.

Tasks take ids, are idempotent and retry-safe, and are queued with delay_on_commit.
"""

from . import (
    bookkeeping,  # noqa: E402, F401
    catalogue,  # noqa: E402, F401
    detection,  # noqa: E402, F401
    ingest,  # noqa: E402, F401
    reid,  # noqa: E402, F401
    sweeper,  # noqa: E402, F401
)
