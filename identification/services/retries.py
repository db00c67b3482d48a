"""The retry rule for work that stopped making progress, shared by the sweeper's batch stages
(Batch.stall_retries / stall_retried_at) and the re-embedding after a change of global model
(Project.reembed_retries / reembed_retried_at).

Work is due a retry when its progress clock and its last retry are both older than the stall
period. Progress since the last retry starts the count again; `max_retries` retries in a row
without progress give it up. The count is recorded by a conditional update on the values read,
so of two concurrent sweeps only one retries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Model


@dataclass(frozen=True)
class Retry:
    count: int  # retries in a row without progress, this one included (unchanged on give-up)
    give_up: bool


def due(
    progress: dt.datetime,
    retries: int,
    retried_at: dt.datetime | None,
    now: dt.datetime,
    stall: dt.timedelta,
    max_retries: int,
) -> Retry | None:
    """The retry that stalled work is due, or None while it is not stalled."""
    clock = max(progress, retried_at or progress)
    if now - clock < stall:
        return None
    progressed = retried_at is None or progress > retried_at
    give_up = not progressed and retries >= max_retries
    return Retry(retries if give_up else 1 if progressed else retries + 1, give_up)


def claim(obj: Model, count_field: str, at_field: str, count: int, now: dt.datetime) -> bool:
    """Record a retry on `obj`'s row if its (count, at) fields still hold what `obj` read:
    True for the one sweep that did."""
    seen = {count_field: getattr(obj, count_field), at_field: getattr(obj, at_field)}
    updated = (
        type(obj)
        ._default_manager.filter(pk=obj.pk, **seen)
        .update(**{count_field: count, at_field: now})
    )
    return updated == 1
