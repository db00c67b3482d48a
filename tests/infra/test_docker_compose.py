import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_docker_compose_file_is_valid_and_has_every_service():
    if shutil.which("docker-compose") is None:
        pytest.skip("docker-compose (Debian package) is not installed on this machine")
    result = subprocess.run(
        ["docker-compose", "config", "--services"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    services = set(result.stdout.split())
    assert {"postgres", "redis", "web", "worker-cpu", "worker-gpu", "beat"} <= services
    config = subprocess.run(
        ["docker-compose", "config"], cwd=ROOT, capture_output=True, text=True, timeout=60
    ).stdout
    assert "driver: nvidia" in config
    assert "--queues gpu" in config and "--queues cpu" in config
    assert "celery -A reidsite beat" in config
    assert "--appendonly" in config  # queued tasks survive a Redis restart
