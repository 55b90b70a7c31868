"""schemathesis against the live API's own OpenAPI document: fixed seed, a few examples per
operation. No 500, no error body that is not JSON, no answer outside its schema."""

import json
from collections import Counter

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

EXAMPLES = 15  # per operation: the whole run stays within seconds
# What the document can say. (Not positive_data_acceptance: OpenAPI cannot state that window
# and since exclude each other, or that since comes before until; the API answers those 400.)
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
LONG_LIVED = {"/v1/stream"}  # an answer lasts [api] stream_seconds; tests/functional has its own


def is_fault(text: str) -> bool:
    try:
        body = json.loads(text)
    except ValueError:
        return False
    return isinstance(body, dict) and set(body) == {"faultcode", "faultstring"}


def check_operation(operation, seen: Counter, failures: list) -> None:
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
                case.validate_response(response, checks=CHECKS)
            except BaseExceptionGroup as exc:  # schemathesis's FailureGroup
                problem = f"schema violation: {str(exc)[:300]}"
        if problem:
            failures.append(f"{case.as_curl_command()}\n    {problem}")

    run()


def test_the_live_api_conforms_to_its_document(live_api):
    schema = schemathesis.openapi.from_url(live_api.url + "/v1/openapi.json")
    seen, failures, operations = Counter(), [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in LONG_LIVED:
            continue
        check_operation(operation, seen, failures)
        operations += 1
    print(f"\nschemathesis: {sum(seen.values())} requests over {operations} operations, "
          f"by status {dict(sorted(seen.items()))}; {len(failures)} failures")
    assert not failures, "\n".join(failures[:10])
