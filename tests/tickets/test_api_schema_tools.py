"""The engineers' tools are in the OpenAPI schema, without schema warnings."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_has_tags_macros_merge_and_links_and_no_warnings(tmp_path):
    path = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    schema = path.read_text()
    for endpoint in (
        "/api/v1/tags/:",
        "/api/v1/tickets/{id}/tags/:",
        "/api/v1/macros/:",
        "/api/v1/tickets/{id}/macros/{macro_id}/:",
        "/api/v1/tickets/{id}/merge/:",
        "/api/v1/tickets/{id}/links/:",
    ):
        assert endpoint in schema
    assert "merged_into" in schema
