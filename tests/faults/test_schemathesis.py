"""schemathesis against the live API's own OpenAPI document: fixed seed, a few examples per
operation, every operation (/v1/stream with short streams). No 500, no error body that is not
JSON, no answer outside its schema, and valid data (by the document) is not refused."""

import json
from collections import Counter
from datetime import datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from wsme.exc import ClientSideError

from radar_api.controllers.v1 import utils
from radar_demo.stack import ApiServer

EXAMPLES = 15  # per operation: the whole run stays within seconds
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
ACCEPTANCE = [checks.positive_data_acceptance]  # valid data (by the document) is not a 400
STREAM_SECONDS = 0.1  # [api] stream_seconds: an answer of /v1/stream lasts this long


def is_fault(text: str) -> bool:
    try:
        body = json.loads(text)
    except ValueError:
        return False
    return isinstance(body, dict) and set(body) == {"faultcode", "faultstring"}


def beyond_the_document(case, response) -> bool:
    """Whether ``case`` is valid by the document but breaks what it cannot state: a rule
    between window, since and until, or a marker that is no item of the list (which ids are
    items is data: the API's 400 names the marker, as each of its 400s names its parameter)."""
    unknown_marker = response.status_code == 400 and response.json()["faultstring"].startswith(
        "marker")
    return unknown_marker or breaks_a_window_rule(case.query or {})


def breaks_a_window_rule(query: dict) -> bool:
    """Whether well-formed window, since and until break a rule of the API's validate_window
    that OpenAPI 3.0 cannot state: window and since exclude each other, since comes before
    until and at most 366 days before it, a window is at most 366 days, and times fall in
    the calendar the API accepts (a date-time has no minimum or maximum). The API answers
    those 400, so positive_data_acceptance does not apply to them; it still does to a time
    the API cannot parse."""
    window, since, until = (query.get(name) for name in ("window", "since", "until"))
    try:
        for value in (since, until):
            if value is not None:
                datetime.fromisoformat(value)
    except ValueError:
        return False
    try:
        utils.validate_window(window, since, until)
    except ClientSideError:
        return True
    return False


def check_operation(operation, seen: Counter, accepting: Counter, failures: list) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,  # a fixed seed: the same examples every run
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def run(case):
        response = case.call(timeout=30)
        seen[response.status_code] += 1
        problem = None
        if response.status_code >= 500:
            problem = f"{response.status_code}: {response.text[:200]}"
        elif response.status_code >= 400 and not is_fault(response.text):
            problem = f"non-JSON error body: {response.text[:200]}"
        else:
            try:
                skip = beyond_the_document(case, response)
                accepting["skipped" if skip else "checked"] += 1
                case.validate_response(response, checks=CHECKS + ([] if skip else ACCEPTANCE))
            except BaseExceptionGroup as exc:  # schemathesis's FailureGroup
                problem = f"check failed: {str(exc)[:300]}"
        if problem:
            failures.append(f"{case.as_curl_command()}\n    {problem}")

    run()


@pytest.fixture(scope="module")
def api_url(live_api):
    """The live stack's API with short streams, so /v1/stream is tested like the others."""
    server = ApiServer(live_api.stack.make_app(stream_seconds=STREAM_SECONDS)).start()
    yield server.url
    server.stop()


def test_the_live_api_conforms_to_its_document(api_url):
    schema = schemathesis.openapi.from_url(api_url + "/v1/openapi.json")
    seen, accepting, failures, operations = Counter(), Counter(), [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        check_operation(operation, seen, accepting, failures)
        operations += 1
    print(f"\nschemathesis: {sum(seen.values())} requests over {operations} operations, "
          f"by status {dict(sorted(seen.items()))}; positive_data_acceptance on "
          f"{accepting['checked']}, not on {accepting['skipped']} (beyond the document); "
          f"{len(failures)} failures")
    assert not failures, "\n".join(failures[:10])
