"""The API's JSON parser: DRF's, refusing what no record can hold before any view reads it.

- a NUL or another control character (but tab and line breaks) in any string, a key
  included: PostgreSQL stores and compares no text with a NUL, and a write naming a related
  record by such a key answered 500;
- nesting deeper than `MAX_DEPTH`: no record of the API nests more than a few levels, and
  Python's JSON reader gives up past about a thousand with an error DRF did not answer;
- a number Python will not read (over 4,300 digits) is refused by the reader itself.

Each answers 400 in the shape of every other bad write, `{"errors": {field: [message]}}`: the
field the fault is in (`body` for the body as a whole), the message naming where in it
(`topics[1]`, `citations[0].quote`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from policytracker.core.client_faults import forbidden_character

MAX_DEPTH = 32
BODY = "body"


class BadBody(ParseError):
    """A body the parser refused: `errors` is {field: [message]}."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__(next(iter(errors.values()))[0])


def _where(path: list[str | int]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text or "The body"


def body_fault(value: Any, path: list[str | int] | None = None) -> str | None:
    """What is wrong with parsed JSON `value` at `path`, a sentence naming where, or None."""
    path = path or []
    if len(path) > MAX_DEPTH:
        return f"{_where(path)} is nested more than {MAX_DEPTH} levels deep."
    if isinstance(value, str):
        found = forbidden_character(value)
        return f"{_where(path)} holds {found}, which no value may hold." if found else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = forbidden_character(key)
            if found:
                return f"{_where(path)} has a key holding {found}, which no name may hold."
            fault = body_fault(item, [*path, key])
            if fault:
                return fault
    elif isinstance(value, list):
        for index, item in enumerate(value):
            fault = body_fault(item, [*path, index])
            if fault:
                return fault
    return None


def body_errors(data: Any) -> dict[str, list[str]]:
    """{field: [message]} for the first fault in parsed JSON `data`, or {}."""
    if isinstance(data, Mapping):
        for key, item in data.items():
            # A fault of a field is that field's; a key no name may hold is the body's.
            fault = body_fault({key: item})
            if fault:
                return {BODY if forbidden_character(key) else key: [fault]}
        return {}
    fault = body_fault(data)
    return {BODY: [fault]} if fault else {}


class StrictJSONParser(JSONParser):
    """`application/json` bodies, refused with 400 where they hold what no record can (see
    the module's docstring)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise BadBody(
                {BODY: [f"The body is nested more than {MAX_DEPTH} levels deep."]}
            ) from None
        errors = body_errors(data)
        if errors:
            raise BadBody(errors)
        return data
