"""Queueing worker tasks from web code by name.

Web processes send tasks by name after the surrounding transaction commits: importing
worker.tasks would pull in the re-ID pipeline (torch, ~850 MB of RSS) into every web worker.
Eager mode (unit tests, a worker-less run) has to run the task in-process, so only then is
its module imported. `send_task` applies the app's task_routes by name, so re-ID tasks still
go to the `gpu` queue.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, cast

from django.db import transaction

if TYPE_CHECKING:
    from kombu.transport.virtual import Channel


def send_on_commit(task_name: str, *args: object) -> None:
    """Queue `task_name` (its module path and function name) with `args` after commit."""
    from reidsite.celery import app

    if app.conf.task_always_eager:
        module, name = task_name.rsplit(".", 1)
        getattr(importlib.import_module(module), name).delay_on_commit(*args)
    else:
        transaction.on_commit(lambda: app.send_task(task_name, args=list(args)))


def waiting_messages(task_name: str) -> int:
    """How many messages wait, not yet handed to a worker, in the queue `task_name` is routed
    to (0 in eager mode, which has no queue). Tasks a worker holds unacknowledged, running or
    lost with a dead worker, are not counted."""
    from reidsite.celery import app

    if app.conf.task_always_eager:
        return 0
    queue = app.amqp.router.route({}, task_name)["queue"].name
    with app.connection_for_read() as connection:
        # Redis and the demo's filesystem broker are kombu's virtual transports, whose
        # channels declare queues (the stubs type default_channel as the abstract StdChannel).
        channel = cast("Channel", connection.default_channel)
        return channel.queue_declare(queue=queue).message_count
