"""The OpenAPI 3.0 document served at ``/v1/openapi.json``: exactly the routes of docs/api.md.

Objects are closed (``additionalProperties: false``) and every key is required, because the
contract promises every key, with null for a missing value. A test checks this document against
the app's routes and validates real responses against these schemas.
"""


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(description: str, **properties) -> dict:
    return {
        "type": "object",
        "description": description,
        "additionalProperties": False,
        "required": list(properties),
        "properties": properties,
    }


def _array(items: dict) -> dict:
    return {"type": "array", "items": items}


def _nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


INT = {"type": "integer"}
COUNT = {"type": "integer", "minimum": 0}
NUMBER = {"type": "number"}
TEXT = {"type": "string"}
BOOL = {"type": "boolean"}
TIME = {"type": "string", "format": "date-time", "example": "2026-11-23T10:00:00Z"}
RATIO = {"type": "number", "minimum": 0, "maximum": 1, "nullable": True}
SECONDS = _nullable({"type": "number", "minimum": 0})
STATUS = {"type": "string", "enum": ["healthy", "degraded", "failing", "silent", "unknown"]}
SCORE = {"type": "integer", "minimum": 0, "maximum": 100, "nullable": True}

SCHEMAS = {
    "Fault": _obj(
        "An error.",
        faultcode={"type": "string", "enum": ["Client", "Server"]},
        faultstring=TEXT,
    ),
    "Window": _obj("The window [since, until) of every figure.", since=TIME, until=TIME),
    "SystemRef": _obj(
        "A CI system, briefly.", id=INT, name=_nullable(TEXT), username=_nullable(TEXT)
    ),
    "JobRun": _obj(
        "One job's result in a report.",
        name=_nullable(TEXT),
        url=_nullable(TEXT),
        result=TEXT,
        result_class=TEXT,
        duration_s=SECONDS,
        voting=BOOL,
        detail=_nullable(TEXT),
    ),
    "Health": _obj(
        "Score, status and the score's components.",
        score=SCORE,
        status=STATUS,
        coverage=RATIO,
        timeliness=RATIO,
        success_rate=RATIO,
        stability=RATIO,
    ),
    "Stats": _obj(
        "The figures behind the health.",
        reports=COUNT,
        success=COUNT,
        failure=COUNT,
        error=COUNT,
        other=COUNT,
        patchsets_eligible=COUNT,
        patchsets_reported=COUNT,
        latency_p50_s=SECONDS,
        latency_p90_s=SECONDS,
        last_report_at=_nullable(TIME),
        last_success_at=_nullable(TIME),
        rechecks=COUNT,
        flaky_patchsets=COUNT,
        duplicate_reports=COUNT,
        agreement=RATIO,
        false_failure_rate=RATIO,
    ),
    "System": _obj(
        "A CI system with its health.",
        id=INT,
        name=_nullable(TEXT),
        username=_nullable(TEXT),
        health=_ref("Health"),
        stats=_ref("Stats"),
    ),
    "Contacts": _obj(
        "The system's operators.",
        name=_nullable(TEXT),
        email=_nullable(TEXT),
        info_url=_nullable(TEXT),
        recheck_keyword=_nullable(TEXT),
    ),
    "SystemDetail": _obj(
        "One CI system in detail.",
        id=INT,
        name=_nullable(TEXT),
        username=_nullable(TEXT),
        health=_ref("Health"),
        stats=_ref("Stats"),
        contacts=_ref("Contacts"),
        reasons=_array(TEXT),
        window=_ref("Window"),
    ),
    "SystemCollection": _obj(
        "A page of systems.",
        window=_ref("Window"),
        systems=_array(_ref("System")),
        next=_nullable(TEXT),
    ),
    "Job": _obj(
        "A job's runs in the window.",
        name=_nullable(TEXT),
        runs=COUNT,
        success=COUNT,
        failure=COUNT,
        error=COUNT,
        skipped=COUNT,
        success_rate=RATIO,
        duration_p50_s=SECONDS,
        last_success_at=_nullable(TIME),
        voting=BOOL,
    ),
    "JobCollection": _obj(
        "A system's jobs, most runs first.",
        window=_ref("Window"),
        system=_ref("SystemRef"),
        jobs=_array(_ref("Job")),
    ),
    "Report": _obj(
        "One verdict of a CI system.",
        id=INT,
        date=TIME,
        result=TEXT,
        result_class=TEXT,
        vote=_nullable(INT),
        pipeline=_nullable(TEXT),
        project=TEXT,
        change=INT,
        patchset=_nullable(INT),
        gerrit_url=_nullable(TEXT),
        jobs=_array(_ref("JobRun")),
    ),
    "ReportCollection": _obj(
        "A page of a system's reports, newest first.",
        window=_ref("Window"),
        system=_ref("SystemRef"),
        reports=_array(_ref("Report")),
        next=_nullable(TEXT),
    ),
    "TrendPoint": _obj(
        "The figures of one bucket.",
        since=TIME,
        until=TIME,
        score=SCORE,
        status=STATUS,
        coverage=RATIO,
        timeliness=RATIO,
        success_rate=RATIO,
        stability=RATIO,
        reports=COUNT,
        latency_p50_s=SECONDS,
    ),
    "Trend": _obj(
        "A system's health per bucket, oldest first.",
        window=_ref("Window"),
        system=_ref("SystemRef"),
        bucket={"type": "string", "enum": ["day", "week"]},
        points=_array(_ref("TrendPoint")),
    ),
    "SystemResult": _obj(
        "A system's latest report on a patchset.",
        system_id=INT,
        result=TEXT,
        result_class=TEXT,
        date=TIME,
        report_id=INT,
        reports=COUNT,
        jobs=_array(_ref("JobRun")),
    ),
    "Patchset": _obj(
        "A patchset and every system's result on it.",
        number=INT,
        created=TIME,
        gerrit_url=_nullable(TEXT),
        results=_array(_ref("SystemResult")),
    ),
    "Change": _obj(
        "A change: patchsets (oldest first) by systems.",
        number=INT,
        project=TEXT,
        branch=TEXT,
        subject=_nullable(TEXT),
        status=_nullable(TEXT),
        gerrit_url=_nullable(TEXT),
        systems=_array(_ref("SystemRef")),
        patchsets=_array(_ref("Patchset")),
    ),
    "Project": _obj("A Gerrit project.", name=TEXT, changes=COUNT, patchsets=COUNT, systems=COUNT),
    "ProjectCollection": _obj("Every project, by name.", projects=_array(_ref("Project"))),
    "QueryState": _obj(
        "A polled Gerrit query.",
        query=TEXT,
        watermark=_nullable(TIME),
        last_success_at=_nullable(TIME),
        locked_by=_nullable(TEXT),
    ),
    "Poll": _obj(
        "One poll.",
        id=INT,
        query=TEXT,
        started_at=TIME,
        finished_at=_nullable(TIME),
        outcome=TEXT,
        requests=COUNT,
        errors=COUNT,
        rate_limited=COUNT,
        changes=COUNT,
        reports_stored=COUNT,
        rechecks_stored=COUNT,
        message=_nullable(TEXT),
    ),
    "Collector": _obj(
        "The collector's health.",
        last_poll_at=_nullable(TIME),
        last_success_at=_nullable(TIME),
        outcome=_nullable(TEXT),
        lag_s=SECONDS,
        queries=_array(_ref("QueryState")),
        polls=_array(_ref("Poll")),
    ),
    "Totals": _obj(
        "Stored rows.",
        systems=COUNT,
        changes=COUNT,
        patchsets=COUNT,
        reports=COUNT,
        rechecks=COUNT,
    ),
    "Status": _obj(
        "The collector and the totals.",
        poll_interval=INT,
        now=TIME,
        collector=_ref("Collector"),
        totals=_ref("Totals"),
    ),
}


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or TEXT,
    }


PARAMETERS = {
    "window": _query(
        "window",
        "Window length ending at until (or now): <N>h, <N>d or <N>w, at most 366 days. "
        "Default 7d. Not with since.",
        {"type": "string", "pattern": r"^\d+[hdw]$", "default": "7d"},
    ),
    "since": _query("since", "Start of the window: ISO 8601 date or date-time, UTC.", TIME),
    "until": _query("until", "End of the window (exclusive): ISO 8601, UTC. Default now.", TIME),
    "project": _query("project", "Only figures of this Gerrit project (unknown: 404)."),
    "limit": _query(
        "limit", "Page size, from 1 to [api] max_limit.", {"type": "integer", "minimum": 1}
    ),
    "marker": _query("marker", "id of the last item of the previous page.", INT),
    "sort": _query(
        "sort",
        "Sort key, - for descending; nulls last.",
        {
            "type": "string",
            "default": "-score",
            "pattern": "^-?(score|name|coverage|timeliness|success_rate|stability|"
            "latency_p50_s|reports|last_report_at)$",
        },
    ),
    "status": _query(
        "status", "Comma separated statuses to keep: healthy,degraded,failing,silent,unknown."
    ),
    "bucket": _query("bucket", "Bucket size.", {"type": "string", "enum": ["day", "week"]}),
    "system": {
        "name": "system",
        "in": "path",
        "required": True,
        "description": "Gerrit account id or username of the CI system.",
        "schema": TEXT,
    },
    "number": {
        "name": "number",
        "in": "path",
        "required": True,
        "description": "Gerrit change number.",
        "schema": {"type": "integer", "minimum": 1},
    },
}


def _fault(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Fault")}}}


RESPONSES = {
    "BadRequest": _fault("A parameter is invalid; faultstring names it."),
    "NotFound": _fault("No such route, system, change or project."),
    "ServiceUnavailable": _fault("The database is unavailable."),
    "InternalError": _fault("Internal error (no details are given)."),
}


def _get(summary: str, schema: str, *params: str, not_found=True, bad_request=True) -> dict:
    responses = {
        "200": {"description": summary, "content": {"application/json": {"schema": _ref(schema)}}}
    }
    if bad_request:
        responses["400"] = {"$ref": "#/components/responses/BadRequest"}
    if not_found:
        responses["404"] = {"$ref": "#/components/responses/NotFound"}
    responses["500"] = {"$ref": "#/components/responses/InternalError"}
    responses["503"] = {"$ref": "#/components/responses/ServiceUnavailable"}
    return {
        "get": {
            "summary": summary,
            "operationId": schema[0].lower() + schema[1:],
            "parameters": [{"$ref": f"#/components/parameters/{name}"} for name in params],
            "responses": responses,
        }
    }


WINDOW = ("window", "since", "until", "project")

PATHS = {
    "/v1/systems": _get(
        "Every CI system with its health.",
        "SystemCollection",
        *WINDOW,
        "sort",
        "status",
        "limit",
        "marker",
    ),
    "/v1/systems/{system}": _get("One CI system in detail.", "SystemDetail", "system", *WINDOW),
    "/v1/systems/{system}/jobs": _get("A system's jobs.", "JobCollection", "system", *WINDOW),
    "/v1/systems/{system}/reports": _get(
        "A system's reports, newest first.",
        "ReportCollection",
        "system",
        *WINDOW,
        "limit",
        "marker",
    ),
    "/v1/systems/{system}/trend": _get(
        "A system's health per day or week.", "Trend", "system", *WINDOW, "bucket"
    ),
    "/v1/changes/{number}": _get("A change's grid of results.", "Change", "number"),
    "/v1/projects": _get("Every project.", "ProjectCollection", not_found=False, bad_request=False),
    "/v1/status": _get("The collector's health.", "Status", not_found=False, bad_request=False),
    "/v1/openapi.json": {
        "get": {
            "summary": "This document.",
            "operationId": "openapi",
            "responses": {
                "200": {
                    "description": "An OpenAPI 3.0 document.",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    },
    "/metrics": {
        "get": {
            "summary": "Prometheus metrics of the systems (7-day window) and the collector.",
            "operationId": "metrics",
            "responses": {
                "200": {
                    "description": "Prometheus text exposition format.",
                    "content": {"text/plain": {"schema": {"type": "string"}}},
                },
                "500": {"$ref": "#/components/responses/InternalError"},
                "503": {"$ref": "#/components/responses/ServiceUnavailable"},
            },
        }
    },
}

DOCUMENT = {
    "openapi": "3.0.3",
    "info": {
        "title": "Radar",
        "version": "1.0.0",
        "description": "Health of the third-party CI systems of a Gerrit server. JSON only; "
        "times are ISO 8601 UTC with a Z suffix, durations are seconds, ratios are in [0, 1], "
        "missing values are null.",
    },
    "servers": [{"url": "/"}],
    "paths": PATHS,
    "components": {"schemas": SCHEMAS, "parameters": PARAMETERS, "responses": RESPONSES},
}
