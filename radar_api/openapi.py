"""The OpenAPI 3.0 document served at ``/v1/openapi.json``: exactly the routes of docs/api.md.

Objects are closed (``additionalProperties: false``) and every key is required, because the
contract promises every key, with null for a missing value. The figures' schemas come from the
catalogue (radar_core.catalogue). A test checks this document against the app's routes and
validates real responses against these schemas.
"""

from radar_core import catalogue
from radar_core.service import TREND_FIELDS


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
STATUS = {"type": "string", "enum": list(catalogue.STATUS_NAMES)}
SCORE = {"type": "integer", "minimum": 0, "maximum": 100, "nullable": True}
KIND_SCHEMAS = {
    "count": COUNT,
    "ratio": RATIO,
    "score": SCORE,
    "seconds": SECONDS,
    "time": _nullable(TIME),
    "status": STATUS,
}


def _figures(description: str, figures) -> dict:
    return _obj(description, **{f.name: {**KIND_SCHEMAS[f.kind], "description": f.help}
                                for f in figures})


def _schemas() -> dict:
    """Every schema; the figures' from the catalogue as it is when asked."""
    return {
        **SCHEMAS,
        "Health": _figures("Score, status and the score's components.",
                           catalogue.group("health")),
        "Stats": _figures("The figures behind the health.", catalogue.group("stats")),
        "TrendPoint": _obj(
            "The figures of one bucket.", since=TIME, until=TIME,
            **{name: KIND_SCHEMAS[catalogue.FIGURES[name].kind] for name in TREND_FIELDS},
        ),
        "FigureInfo": _obj(
            "A figure of the catalogue.", name=TEXT, group={"type": "string",
                                                           "enum": ["health", "stats"]},
            kind={"type": "string", "enum": list(catalogue.KINDS)}, label=TEXT, help=TEXT,
            better={"type": "string", "enum": ["higher", "lower", None], "nullable": True},
            sortable=BOOL,
        ),
    }


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
    "Stream": _obj(
        "A collector's event stream (Gerrit stream-events over SSH), as it last wrote it.",
        name=TEXT,
        connected=BOOL,
        connected_since=_nullable(TIME),
        connections=COUNT,
        events=COUNT,
        malformed=COUNT,
        reports_stored=COUNT,
        last_event_at=_nullable(TIME),
        lag_s=SECONDS,
        last_error=_nullable(TEXT),
        updated_at=TIME,
    ),
    "Quota": _obj(
        "The Gerrit quota monitor: what the polls of the last window_s seconds asked of "
        "Gerrit, and the event streams.",
        window_s=INT,
        polls=COUNT,
        requests=COUNT,
        errors=COUNT,
        rate_limited=COUNT,
        retry_wait_s={"type": "number"},
        streams=_array(_ref("Stream")),
    ),
    "Status": _obj(
        "The collector, the totals and the Gerrit quota monitor.",
        poll_interval=INT,
        now=TIME,
        collector=_ref("Collector"),
        totals=_ref("Totals"),
        quota=_ref("Quota"),
    ),
    "StatusChange": _obj(
        "A change of the hourly status.",
        at=TIME,
        **{"from": STATUS, "to": STATUS},
        score=SCORE,
        reasons=_array(TEXT),
    ),
    "History": _obj(
        "A system's status changes, oldest first.",
        window=_ref("Window"),
        system=_ref("SystemRef"),
        changes=_array(_ref("StatusChange")),
    ),
    "Event": _obj(
        "Something that happened: a status change, new data, an alert delivery.",
        id=INT,
        at=TIME,
        kind=TEXT,
        system_id=_nullable(INT),
        data={"type": "object", "additionalProperties": True},
    ),
    "EventCollection": _obj(
        "A page of events, newest first.", events=_array(_ref("Event")), next=_nullable(TEXT)
    ),
    "StatusInfo": _obj("A status.", name=STATUS, label=TEXT, help=TEXT),
    "Thresholds": _obj(
        "The [health] options in force.",
        score_failing_below=INT,
        score_degraded_below=INT,
        report_deadline_s=NUMBER,
        silent_after_s=NUMBER,
        unsupported_after_s=NUMBER,
        watch_lookback_s=NUMBER,
        status_window_s=NUMBER,
        weights={"type": "object", "additionalProperties": NUMBER},
    ),
    "Catalogue": _obj(
        "The catalogue of figures and the thresholds.",
        figures=_array(_ref("FigureInfo")),
        statuses=_array(_ref("StatusInfo")),
        sort_keys=_array(TEXT),
        default_sort=TEXT,
        kinds={"type": "object", "additionalProperties": TEXT},
        thresholds=_ref("Thresholds"),
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
        "Sort key, - for descending; nulls last. severity: worst status first, then the "
        "lowest score.",
        {
            "type": "string",
            "default": catalogue.DEFAULT_SORT,
            "pattern": f"^-?({'|'.join(catalogue.SORT_KEYS)})$",
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
    "/v1/systems/{system}/history": _get(
        "A system's status changes.", "History", "system", "since", "until"
    ),
    "/v1/changes/{number}": _get("A change's grid of results.", "Change", "number"),
    "/v1/events": _get(
        "Events, newest first.", "EventCollection", "limit", "marker", not_found=False
    ),
    "/v1/figures": _get(
        "The catalogue of figures.", "Catalogue", not_found=False, bad_request=False
    ),
    "/v1/stream": {
        "get": {
            "summary": "The events as they happen (Server-Sent Events; Last-Event-ID resumes).",
            "operationId": "stream",
            "parameters": [
                {
                    "name": "Last-Event-ID",
                    "in": "header",
                    "required": False,
                    "description": "Resume after this event id.",
                    "schema": {"type": "string", "pattern": "^[0-9]{1,18}$"},
                }
            ],
            "responses": {
                "200": {
                    "description": "An event stream; each event's data is an Event.",
                    "content": {"text/event-stream": {"schema": {"type": "string"}}},
                },
                "400": {"$ref": "#/components/responses/BadRequest"},
                "503": {"$ref": "#/components/responses/ServiceUnavailable"},
            },
        }
    },
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

def document() -> dict:
    """The document, with the catalogue's figures as they are now."""
    return {**DOCUMENT, "components": {**DOCUMENT["components"], "schemas": _schemas()}}


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
