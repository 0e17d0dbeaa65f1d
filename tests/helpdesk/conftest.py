from pathlib import Path

import pytest

from tests.helpdesk import production


@pytest.fixture(scope="session")
def production_static_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Static files collected by the Dockerfile's own command line, once per session."""
    root = tmp_path_factory.mktemp("static") / "staticfiles"
    result = production.collect_static(root)
    assert result.returncode == 0, result.stdout + result.stderr
    return root
