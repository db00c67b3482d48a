"""Keyword arguments the task modules give `shared_task`, typed so mypy checks them against
celery-types' signature (a plain dict[str, int] matches none of its overloads)."""

from __future__ import annotations

from typing import TypedDict


class TimeLimits(TypedDict):
    soft_time_limit: int
    time_limit: int


class Retry(TypedDict):
    autoretry_for: tuple[type[BaseException], ...]
    retry_backoff: int
    max_retries: int
