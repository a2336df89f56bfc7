"""Schemathesis against the OpenAPI schema of a real `uts serve`: generated requests, valid and invalid, to every
operation, with an admin key so the writes run too. No answer may be a 5xx, and every answer must match the schema
and media type it is documented with. All operations are tried; the failures are reported together."""

from __future__ import annotations

import hypothesis
import hypothesis.errors
import pytest
import schemathesis
from hypothesis import HealthCheck
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.api_server import Keys, Server

pytestmark = pytest.mark.slow
EXAMPLES = 25  # per operation and mode: about 1,000 requests in all


def test_no_server_error_and_every_answer_matches_its_schema(api_server: Server, api_keys: Keys) -> None:
    schema = schemathesis.openapi.from_url(f"{api_server.url}/openapi.json")
    checks = [not_a_server_error, response_schema_conformance, content_type_conformance]
    headers = {"Authorization": f"Bearer {api_keys.admin}"}
    failures: list[str] = []
    operations = 0
    calls = [0]
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @hypothesis.settings(
                max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck), phases=[hypothesis.Phase.generate],
            )  # fmt: skip
            @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
            def check(case: schemathesis.Case) -> None:
                calls[0] += 1
                case.call_and_validate(base_url=api_server.url, headers=headers, checks=checks, timeout=60)

            try:
                check()
            except hypothesis.errors.Unsatisfiable:
                continue  # nothing to make invalid (an operation without parameters): no request to send
            except (Exception, BaseExceptionGroup) as exc:  # every operation is tried; each failure is kept
                failures.append(f"{operation.label} ({mode.value}): {str(exc)[:1500]}")
    assert operations >= 20
    assert calls[0] >= operations * EXAMPLES  # the generated requests were sent
    assert not failures, "\n\n".join(failures)
    assert "Traceback" not in api_server.output()  # no unexpected error was logged either
