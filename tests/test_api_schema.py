"""The OpenAPI schema: complete, valid, and true to the API (schemathesis finds no 5xx)."""

import json
from io import StringIO

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error

from posts.api.serializers import DETAIL_FIELDS
from tests.api_helpers import rich_post

pytestmark = pytest.mark.django_db


def load_schema(client) -> dict:
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_schema_is_valid_openapi_3(client):
    schema = load_schema(client)

    assert schema["openapi"].startswith("3.")
    validate(schema)


def test_slugs_are_documented_without_an_ascii_only_pattern(client):
    """OpenAPI patterns are JavaScript regular expressions, where `\\w` is ASCII: a pattern
    such as `^[-\\w]+$` makes generated clients reject Unicode slugs the API returns."""
    schemas = load_schema(client)["components"]["schemas"]

    slugs = {
        name: props["slug"]
        for name, s in schemas.items()
        if "slug" in (props := s.get("properties", {}))
    }
    assert {"Post", "Author", "Category", "Tag"} <= set(slugs)
    assert all(slug["type"] == "string" and "pattern" not in slug for slug in slugs.values())


def test_schema_generation_has_no_warnings(tmp_path):
    # --fail-on-warn turns anything drf-spectacular could not document into an error.
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "schema.yaml"),
        stdout=StringIO(),
        stderr=StringIO(),
    )
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.")


def parameters(schema: dict, path: str) -> dict[str, dict]:
    return {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}


def test_every_post_parameter_is_documented(client):
    schema = load_schema(client)

    listed = parameters(schema, "/api/v1/posts/")
    assert set(listed) == {
        "page",
        "page_size",
        "fields",
        "status",
        "tag",
        "category",
        "author",
        "search",
        "published_after",
        "published_before",
        "ordering",
    }
    assert set(listed["ordering"]["schema"]["items"]["enum"]) == {
        "published_at",
        "-published_at",
        "updated_at",
        "-updated_at",
        "title",
        "-title",
    }
    assert listed["page_size"]["schema"]["maximum"] == 100
    # A client generator gets the names `fields` takes (any other is a 400), as a list.
    fields = listed["fields"]
    assert (fields["schema"]["type"], fields["style"], fields["explode"]) == (
        "array",
        "form",
        False,
    )
    assert fields["schema"]["items"]["enum"] == list(DETAIL_FIELDS)
    tag_fields = parameters(schema, "/api/v1/tags/")["fields"]["schema"]["items"]["enum"]
    assert tag_fields == ["name", "slug", "post_count"]
    undescribed = [name for name, parameter in listed.items() if not parameter.get("description")]
    assert undescribed == []
    detail = parameters(schema, "/api/v1/posts/{slug}/")
    assert {"slug", "fields", "status", "preview"} <= set(detail)


def test_no_property_promises_a_format_the_api_may_not_send(client):
    # An author without a website gets "", which `format: uri` validators refuse.
    schema = load_schema(client)

    formatted = {
        (name, field)
        for name, component in schema["components"]["schemas"].items()
        for field, spec in component.get("properties", {}).items()
        if spec.get("format") == "uri" and field not in ("next", "previous")  # URL or null
    }
    assert formatted == set()


def test_every_response_is_documented(client):
    schema = load_schema(client)

    for path in ["/api/v1/posts/", "/api/v1/posts/{slug}/"]:
        responses = schema["paths"][path]["get"]["responses"]
        assert {"200", "304", "400", "401", "403", "404"} <= set(responses), path
    post = schema["components"]["schemas"]["Post"]["properties"]
    assert {"body_html", "meta", "authors", "url", "canonical_url"} <= set(post)
    assert set(schema["paths"]) >= {
        "/api/v1/authors/",
        "/api/v1/authors/{slug}/",
        "/api/v1/categories/",
        "/api/v1/categories/{slug}/",
        "/api/v1/tags/",
        "/api/v1/tags/{slug}/",
    }


def test_the_schema_documents_only_reads(client):
    schema = load_schema(client)

    methods = {method for operations in schema["paths"].values() for method in operations}
    assert methods == {"get"}


@pytest.mark.parametrize(
    ("url", "headers", "status"),
    [
        ("/api/v1/schema/?format=xyz", {}, 404),
        ("/api/v1/schema/", {"HTTP_ACCEPT": "application/xml"}, 406),
        ("/api/v1/schema/", {"HTTP_AUTHORIZATION": "Token not-a-token"}, 401),
    ],
)
def test_schema_errors_are_the_apis_json(client, url, headers, status):
    response = client.get(url, **headers)

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert isinstance(response.json()["detail"], str)


@pytest.mark.parametrize("version", ["%00", "%0A", "%22", "%E2%80%A8", "2"])
def test_a_version_parameter_changes_nothing_and_breaks_nothing(client, version):
    # drf-spectacular wrote it into the Content-Disposition header: a 500 for a newline.
    response = client.get(f"/api/v1/schema/?format=json&version={version}")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'inline; filename="Headless CMS read API.json"'


def test_docs_page_is_served_with_local_assets(client):
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    assert "/api/v1/schema/" in page
    assert "cdn.jsdelivr.net" not in page


# Property-based: any request the schema allows (and many it does not) gets no 5xx.
api_schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
api_schema.config.generation.update(
    modes=[schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE],
    max_examples=15,
    deterministic=True,
)


@pytest.fixture
def sample_content(db):
    rich_post(slug="sample")
    # Like Django's test client: the WSGI handler must not close the connection that
    # holds the test's transaction at the end of each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@api_schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None, derandomize=True)
def test_no_request_the_schema_can_describe_makes_a_server_error(case, sample_content):
    case.call_and_validate(checks=[not_a_server_error])
