"""Run a script as a separate web process on a throw-away SQLite database and filesystem
broker, to check what it imports and which task messages it sends."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_web_script(script: str, var_dir: Path) -> list[str]:
    """Run `script` with Django's settings and REID on; return its stdout's words."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="reidsite.settings",
        REIDSITE_VAR_DIR=str(var_dir),
        CELERY_BROKER_URL="filesystem://",
        CELERY_TASK_ALWAYS_EAGER="0",
        REIDSITE_ENABLE_REID="1",
    )
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout.split()


def sent_messages(var_dir: Path) -> list[tuple[str, str, str]]:
    """(queue, task name, argsrepr) of every message the script left on the broker."""
    out = []
    for path in sorted((var_dir / "broker" / "queue").glob("*.msg")):
        headers = json.loads(path.read_text())["headers"]
        out.append((path.name.split(".")[-2], headers["task"], headers["argsrepr"]))
    return out
