import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.compose
def test_docker_compose_file_is_valid():
    result = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config", "-q"],
        cwd=ROOT,
        env={**os.environ, "SECRET_KEY": "compose-check"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.compose
def test_docker_compose_runs_web_worker_beat_db_and_redis():
    result = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config", "--services"],
        cwd=ROOT,
        env={**os.environ, "SECRET_KEY": "compose-check"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert {"db", "redis", "web", "worker", "beat"} <= set(result.stdout.split())


@pytest.mark.compose
def test_web_workers_and_beat_start_after_the_migrations():
    import yaml

    result = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config"],
        cwd=ROOT,
        env={**os.environ, "SECRET_KEY": "compose-check"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["db"]["condition"] == "service_healthy", name
    assert "migrate" not in services["migrate"].get("depends_on", {})
