"""The API's OpenAPI schema (/api/schema/) and its docs pages: the schema is valid, complete and
true to what the API answers, and a client generated from it works (what the shared schema
machinery says of every list and record is tested in tests/core/api/test_schema.py)."""

import importlib
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.request import urlopen

import pytest
import yaml
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.http import QueryDict
from drf_spectacular.drainage import GENERATOR_STATS
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openapi_spec_validator import validate

from instruments.filters import InstrumentFilterSet
from instruments.models import Instrument
from policytracker.api.urls import router
from tests.helpers.schema import API, list_operation

# -- the schema itself -------------------------------------------------------------------------


def test_schema_is_valid_openapi(schema):
    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == settings.SPECTACULAR_SETTINGS["TITLE"]


def test_schema_generates_without_warnings(generated):
    _, problems = generated
    assert problems == [], "\n".join(problems)


def test_spectacular_command_passes_with_fail_on_warn(tmp_path):
    """The command CI and developers run: `manage.py spectacular --validate --fail-on-warn`."""
    from django.core.management import call_command

    GENERATOR_STATS.reset()
    target = tmp_path / "schema.yaml"
    with GENERATOR_STATS.silence():
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    GENERATOR_STATS.reset()
    assert yaml.safe_load(target.read_text())["paths"]


def test_every_resource_of_the_router_is_in_the_schema(schema):
    for prefix, viewset, _ in router.registry:
        assert f"{API}{prefix}/" in schema["paths"], prefix
        if hasattr(viewset, "retrieve"):
            assert any(path.startswith(f"{API}{prefix}/{{") for path in schema["paths"]), (
                f"{prefix} has a detail route but no detail path in the schema"
            )


def as_json_schema(node):
    """An OpenAPI 3.0 schema as JSON Schema, `nullable` read as schemathesis and the client
    generators read it: null is also allowed, whatever else the schema says."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: as_json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def test_response_examples_match_their_schemas(schema):
    """Examples are written by hand; they must not drift from the serializers."""
    from jsonschema import Draft7Validator

    components = as_json_schema(schema["components"])
    checked = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code, response in operation.get("responses", {}).items():
                for media_type, content in response.get("content", {}).items():
                    if media_type != "application/json":
                        continue
                    validator = Draft7Validator(
                        {**as_json_schema(content["schema"]), "components": components}
                    )
                    for name, example in content.get("examples", {}).items():
                        errors = [
                            error.message for error in validator.iter_errors(example["value"])
                        ]
                        assert not errors, (path, method, code, name, errors[:3])
                        checked += 1
    assert checked >= 2
    instrument_list = list_operation(schema, "instruments")["responses"]["200"]["content"]
    assert instrument_list["application/json"]["examples"]


# -- docs pages --------------------------------------------------------------------------------


class Assets(HTMLParser):
    """Every address a page names (`src`, `href`) and the text of its inline scripts."""

    def __init__(self):
        super().__init__()
        self.addresses = []
        self.scripts = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"src", "href"} and value:
                self.addresses.append(value)
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_page_loads_only_local_assets(site, url):
    """The docs work offline: every script, style sheet and icon is one of our static files,
    served by the site itself, or (Swagger UI's) the page's own script, served as a file so
    that the content security policy lets it run."""
    with urlopen(f"{site.url}{url}") as response:
        assert response.status == 200
        html = response.read().decode()
    page = Assets()
    page.feed(html)
    assert page.addresses, "no asset found"
    static_url = "/" + settings.STATIC_URL.strip("/") + "/"
    for address in page.addresses:
        if address == f"{url}?script=":
            with urlopen(f"{site.url}{address}") as script:
                assert script.status == 200
                assert script.headers["Content-Type"].startswith("application/javascript")
                assert "/api/schema/" in script.read().decode()
            continue
        assert address.startswith(static_url), address
        assert finders.find(address.removeprefix(static_url)), f"{address} is not a static file"
        with urlopen(f"{site.url}{address}") as asset:
            assert asset.status == 200, address
    # Nothing the page's markup or inline scripts name is on another host.
    assert not re.search(r"(?:src|href)\s*=\s*[\"'](?:https?:)?//", html)
    assert not re.search(r"https?://", "\n".join(page.scripts))
    # The page reads the schema (Swagger UI through its script, checked above).
    assert "/api/schema/" in html or url == "/api/docs/"


# -- the API against its schema ----------------------------------------------------------------

# Enough to touch every parameter of every list a few times; the whole run stays well under a
# minute on the CI machine.
EXAMPLES_PER_OPERATION = 25
WRITE_EXAMPLES_PER_OPERATION = 8


def keys_of(prefix):
    """Real keys for a detail route, so that the run reads records and not only 404s."""
    for registered, viewset, _ in router.registry:
        if registered == prefix and hasattr(viewset, "retrieve"):
            model = viewset.queryset.model
            keys = model._default_manager.order_by("pk").values_list(
                viewset.lookup_field, flat=True
            )
            return list(keys[:20])
    return []


@pytest.fixture
def in_process_requests():
    """Requests made straight to the WSGI app inside the test's transaction: Django would close
    the connection at the end of each (the test client turns that off too)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def schema_operations(schema, methods):
    """The operations of `schema` with one of `methods`, as schemathesis loads them."""
    import schemathesis

    loaded = schemathesis.openapi.from_dict(schema)
    operations = [result.ok() for result in loaded.get_all_operations()]
    return [operation for operation in operations if operation.method.upper() in methods]


def cases(operation):
    """Cases of `operation`; for an address with a key, real keys as often as random ones."""
    strategy = operation.as_strategy()
    path_names = [
        parameter["name"]
        for parameter in operation.definition.raw.get("parameters", [])
        if parameter["in"] == "path"
    ]
    keys = keys_of(operation.path.removeprefix(API).split("/")[0])
    if path_names and keys:
        real = st.sampled_from(keys).flatmap(
            lambda key: operation.as_strategy(path_parameters={path_names[0]: key})
        )
        strategy = st.one_of(real, strategy)
    return strategy


def conformance_checks():
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    return [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
    ]


# What `run` records for a 400 answered to the address itself: a generated key or query value
# holding a control character, refused before the view (or its authentication) is reached.
ADDRESS_FAULT = "400: the address"


def address_fault(response):
    text = response.content.decode("utf-8", "replace")
    return "NUL character" in text or "control character" in text


def run(operation, examples, seen, headers=None):
    """`examples` requests of `operation`, each checked against the schema; their status codes
    go to `seen`."""
    from policytracker.wsgi import application

    checks = conformance_checks()

    @hypothesis_settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases(operation))
    def check(case):
        # Each request in a savepoint of the test's transaction, as each has its own
        # transaction in production: a database error in one must not fail the next, and a
        # write must not change what the next request reads.
        savepoint = transaction.savepoint()
        try:
            response = case.call(app=application, headers=headers)
        finally:
            transaction.savepoint_rollback(savepoint)
        code = response.status_code
        if code == 400 and address_fault(response):
            code = ADDRESS_FAULT
        seen.setdefault(operation.label, set()).add(code)
        case.validate_response(response, checks=checks, headers=headers)

    check()


def test_api_answers_as_its_schema_says(seeded, schema, in_process_requests):
    """Anonymous GETs of every operation, generated from the schema (a fixed seed, a bounded
    number of examples): no 5xx, every status code documented, every body, header and content
    type as the schema says."""
    reads = schema_operations(schema, {"GET"})
    # Public reads are those the schema lets anyone make (an empty security requirement);
    # editors' own (their webhooks) answer anyone else 401, as documented.
    public = [o for o in reads if {} in o.definition.raw.get("security", [{}])]
    assert len(public) >= 3
    seen = {}
    for operation in public:
        run(operation, EXAMPLES_PER_OPERATION, seen)
    # The run read records, not only errors.
    assert all(200 in codes for codes in seen.values()), seen
    refused = {}
    for operation in reads:
        if operation not in public:
            run(operation, 2, refused)
    assert all(codes - {ADDRESS_FAULT} == {401} for codes in refused.values()), refused


def test_writes_answer_as_the_schema_says(seeded, schema, in_process_requests):
    """An editor's writes, generated from the schema: mostly bad input and stale `If-Match`
    tags, which must be answered as documented (never a 5xx); anonymous ones are refused."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    writes = schema_operations(schema, {"POST", "PUT", "PATCH", "DELETE"})
    if not writes:
        pytest.skip("the API has no writes")
    editor = get_user_model().objects.create_user("schema-editor", is_staff=True)
    token = Token.objects.create(user=editor)
    seen = {}
    for operation in writes:
        run(operation, WRITE_EXAMPLES_PER_OPERATION, seen, {"Authorization": f"Token {token}"})
    anonymous = {}
    for operation in writes:
        run(operation, 2, anonymous)
    assert all(codes - {ADDRESS_FAULT} == {401} for codes in anonymous.values()), anonymous


# -- a generated client ------------------------------------------------------------------------


def generator_path():
    local = Path(sys.executable).parent / "openapi-python-client"
    return str(local) if local.exists() else shutil.which("openapi-python-client")


@pytest.fixture(scope="module")
def generated_client(schema, tmp_path_factory):
    """A Python client generated from the schema by openapi-python-client, importable."""
    generator = generator_path()
    if generator is None:
        pytest.skip("openapi-python-client is not installed (it is a dev dependency)")
    folder = tmp_path_factory.mktemp("client")
    (folder / "schema.json").write_text(json.dumps(schema))
    (folder / "config.yaml").write_text(
        "project_name_override: policy-tracker-client\n"
        "package_name_override: policy_tracker_client\n"
        "post_hooks: []\n"
    )
    result = subprocess.run(
        [
            generator,
            "generate",
            "--path",
            str(folder / "schema.json"),
            "--config",
            str(folder / "config.yaml"),
            "--meta",
            "none",
            "--output-path",
            str(folder / "policy_tracker_client"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The generator says what it could not turn into code; nothing may be left out.
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module("policy_tracker_client")
    finally:
        sys.path.remove(str(folder))
        for name in list(sys.modules):
            if name == "policy_tracker_client" or name.startswith("policy_tracker_client."):
                del sys.modules[name]


def test_generated_client_lists_filters_and_pages_instruments(generated_client, site, seeded):
    list_instruments = importlib.import_module(
        "policy_tracker_client.api.instruments.instruments_list"
    )
    with generated_client.Client(base_url=site.url, raise_on_unexpected_status=True) as client:
        check_instruments(list_instruments, client)
    # A bad value is an error the client reads, naming the parameter.
    with generated_client.Client(base_url=site.url) as client:
        bad = list_instruments.sync_detailed(client=client, page_size=2, page=999)
    assert bad.status_code == 400
    assert "page" in bad.parsed.errors.additional_properties


def check_instruments(list_instruments, client):

    def matching(query):
        filterset = InstrumentFilterSet(QueryDict(query), Instrument.objects.all())
        return sorted(item.slug for item in filterset.qs)

    binding_asean = list_instruments.sync(client=client, binding=True, member_of=["ASEAN"])
    assert sorted(row.slug for row in binding_asean.results) == matching(
        "binding=true&member_of=ASEAN"
    )
    assert binding_asean.results
    assert all(row.binding for row in binding_asean.results)
    assert all(row.type_ in {"binding_law", "draft_bill"} for row in binding_asean.results)

    # Every instrument of ASEAN members, two at a time, following `next`.
    expected = matching("member_of=ASEAN")
    assert len(expected) > 2, "the seed should give more than one page of two"
    rows, number, page = [], 0, None
    while page is None or page.next_:
        number += 1
        page = list_instruments.sync(client=client, member_of=["ASEAN"], page_size=2, page=number)
        assert page.count == len(expected)
        assert len(page.results) <= 2
        rows.extend(page.results)
    assert number == (len(expected) + 1) // 2
    assert sorted(row.slug for row in rows) == expected
    assert all(row.jurisdiction.code for row in rows)
