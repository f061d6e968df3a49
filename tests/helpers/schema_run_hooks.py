"""Hooks for the schema runs of tests/api/test_schema_checks.py (loaded by the schemathesis
command through SCHEMATHESIS_HOOKS).

- Path parameters: half the cases name a record that exists (its real key, from
  SCHEMA_RUN_KEYS), so the run reads and writes records, not only 404s.
- Writes (SCHEMA_RUN_TOKEN set: an editor's run): a generated `If-Match` is replaced by the
  record's current `ETag`, read just before, as a client that read the record sends it. A case
  that leaves the header out keeps it out (the run checks the answer to that too), and a write
  to a record that does not exist keeps what was generated.
"""

import hashlib
import json
import os
import re
import urllib.error
import urllib.request

import schemathesis

KEYS = json.loads(os.environ.get("SCHEMA_RUN_KEYS", "{}"))
TOKEN = os.environ.get("SCHEMA_RUN_TOKEN", "")
BASE_URL = os.environ.get("SCHEMA_RUN_BASE_URL", "")
RESOURCE = re.compile(r"^/api/v1/([^/]+)/\{[^}]+\}/")


def _choice(value, options):
    digest = int(hashlib.sha256(repr(value).encode()).hexdigest(), 16)
    return options[digest % len(options)] if digest % 2 == 0 else None


@schemathesis.hook
def map_path_parameters(ctx, path_parameters):
    match = RESOURCE.match(ctx.operation.path)
    keys = KEYS.get(match.group(1)) if match else None
    if not keys or not path_parameters:
        return path_parameters
    name = next(iter(path_parameters))
    real = _choice(path_parameters[name], keys)
    if real is not None:
        path_parameters = {**path_parameters, name: real}
    return path_parameters


def _current_etag(path):
    request = urllib.request.Request(
        BASE_URL + path, headers={"Authorization": f"Token {TOKEN}", "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.headers.get("ETag")
    except (urllib.error.HTTPError, urllib.error.URLError, ValueError):
        return None


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    if not TOKEN or case.method.upper() not in {"PUT", "PATCH", "DELETE", "POST"}:
        return
    if not any(name.lower() == "if-match" for name in (case.headers or {})):
        return
    # The record the write names: the operation's own path up to its key.
    match = RESOURCE.match(case.operation.path)
    if not match:
        return
    record = case.formatted_path
    record = record[: record.index("/", len(f"/api/v1/{match.group(1)}/")) + 1]
    etag = _current_etag(record)
    if etag:
        headers = {k: v for k, v in case.headers.items() if k.lower() != "if-match"}
        case.headers = {**headers, "If-Match": etag}
