"""Production configuration: `check --deploy` is clean and bad values fail loudly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "a-production-secret-key-that-is-long-enough-and-random-9f8e7d6c5b4a3",
    "ALLOWED_HOSTS": "reid.example.org",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into a production check.
    full_env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be a boolean"),
        ("REIDSITE_THUMBNAIL_SIZE", "big", "REIDSITE_THUMBNAIL_SIZE must be an integer"),
        ("REIDSITE_MAX_IMAGE_BYTES", "0", "REIDSITE_MAX_IMAGE_BYTES must be at least 1"),
        ("REIDSITE_SWEEP_STALLED_MINUTES", "soon", "REIDSITE_SWEEP_STALLED_MINUTES must be a"),
        ("REIDSITE_SWEEP_STALLED_MINUTES", "nan", "must be a finite number"),
        ("REIDSITE_SWEEP_INTERVAL_SECONDS", "0", "REIDSITE_SWEEP_INTERVAL_SECONDS must be at"),
        ("REIDSITE_SWEEP_MAX_RETRIES", "0", "REIDSITE_SWEEP_MAX_RETRIES must be at least 1"),
    ],
)
def test_malformed_setting_names_the_variable(name, value, message):
    result = _manage("check", **{name: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_s3_storage_is_used_when_a_bucket_is_configured():
    code = (
        "import django; django.setup(); from django.core.files.storage import default_storage;"
        "print(type(default_storage._wrapped if hasattr(default_storage, '_wrapped') "
        "else default_storage).__name__ if default_storage.__class__ else '')"
    )
    env = {**os.environ, "AWS_STORAGE_BUCKET_NAME": "reidsite-test", "AWS_S3_REGION_NAME": "x"}
    env["DJANGO_SETTINGS_MODULE"] = "reidsite.settings"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "S3Storage" in result.stdout
