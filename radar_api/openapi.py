"""The OpenAPI 3.0 document served at ``/v1/openapi.json``: exactly the routes of docs/api.md.

Objects are closed (``additionalProperties: false``) and every key is required, because the
contract promises every key, with null for a missing value. The figures' schemas come from the
catalogue (radar_core.catalogue). A test checks this document against the app's routes and
validates real responses against these schemas.
"""

from radar_api.controllers.v1 import utils
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
        silenced=BOOL,
        alert_open=BOOL,
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
        silenced=BOOL,
        alert_open=BOOL,
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
        jobs_dropped=COUNT,
        sanitised=BOOL,
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
    "ResultCount": _obj(
        "Reports of one result word.", result=TEXT, result_class=TEXT, reports=COUNT,
        last_at=TIME,
    ),
    "JobResultCount": _obj("A job's failed runs of one result word.", result=TEXT, runs=COUNT),
    "FailingJob": _obj(
        "A job's failed runs (class failure or error).",
        name=_nullable(TEXT),
        failures=COUNT,
        results=_array(_ref("JobResultCount")),
        last_failure_at=TIME,
        voting=BOOL,
        per_day=_nullable(_array(COUNT)),
    ),
    "FailureReason": _obj(
        "A reason jobs gave (the text after the result word).",
        result=TEXT, detail=TEXT, runs=COUNT, jobs=_array(_nullable(TEXT)), last_at=TIME,
    ),
    "Failures": _obj(
        "Why a system fails in the window.",
        window=_ref("Window"),
        system=_ref("SystemRef"),
        days=_array(TIME),
        by_result=_array(_ref("ResultCount")),
        by_job=_array(_ref("FailingJob")),
        reasons=_array(_ref("FailureReason")),
    ),
    "MissedPatchset": _obj(
        "An eligible patchset the system did not report on.",
        id=INT, project=TEXT, change=INT, patchset=INT, created=TIME, subject=_nullable(TEXT),
        gerrit_url=_nullable(TEXT),
    ),
    "MissedCollection": _obj(
        "A page of missed patchsets, newest first.",
        window=_ref("Window"),
        system=_ref("SystemRef"),
        patchsets=_array(_ref("MissedPatchset")),
        next=_nullable(TEXT),
    ),
    "SystemTrend": _obj(
        "One system's trend, oldest first.",
        system=_ref("SystemRef"),
        points=_array(_ref("TrendPoint")),
    ),
    "TrendCollection": _obj(
        "A page of systems (by id), each with its trend.",
        window=_ref("Window"),
        bucket={"type": "string", "enum": ["day", "week"]},
        trends=_array(_ref("SystemTrend")),
        next=_nullable(TEXT),
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
        alerts=_ref("Alerts"),
        quota=_ref("Quota"),
    ),
    "Delivery": _obj(
        "One notification of an alert to a channel.",
        id=INT, alert_id=INT, system_id=INT, channel=TEXT,
        kind={"type": "string", "enum": ["opened", "resolved"]},
        state={"type": "string", "enum": ["pending", "sent", "failed"]},
        attempts=COUNT, due_at=TIME, sent_at=_nullable(TIME), last_error=_nullable(TEXT),
    ),
    "Alerts": _obj(
        "Alerts open now and the deliveries of their notifications.",
        open=COUNT,
        deliveries={"type": "object", "additionalProperties": COUNT},
        latest_deliveries=_array(_ref("Delivery")),
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


# What utils validates, said here (a request outside these bounds is a 400).
_TIME_RANGE = (
    f"from {utils.EARLIEST:%Y-%m-%d} to before {utils.LATEST:%Y-%m-%d}, "
    f"at most {utils.MAX_TIME_LENGTH} characters"
)
_TIME_PARAM = {**TIME, "maxLength": utils.MAX_TIME_LENGTH}
_ID = {"type": "integer", "minimum": 0, "maximum": 10**utils.MAX_ID_DIGITS - 1}
_NOT_BLANK = {**TEXT, "pattern": r"\S"}  # not empty, not only spaces


def _filter_text(name: str) -> dict:
    return {**_NOT_BLANK, "maxLength": utils.FILTER_LENGTHS[name]}


PARAMETERS = {
    "window": _query(
        "window",
        "Window length ending at until (or now): <N>h, <N>d or <N>w, at most 366 days. "
        "Default 7d. Not with since: window and since exclude each other (400 when both).",
        {"type": "string", "pattern": r"^\d{1,6}[hdw]$", "default": "7d"},
    ),
    "since": _query(
        "since",
        f"Start of the window: ISO 8601 date or date-time, UTC, {_TIME_RANGE}; earlier than "
        "until and at most 366 days before it. Not with window.",
        _TIME_PARAM,
    ),
    "until": _query(
        "until",
        f"End of the window (exclusive): ISO 8601, UTC, {_TIME_RANGE}. Default now.",
        _TIME_PARAM,
    ),
    "project": _query("project", "Only figures of this Gerrit project (unknown: 404).",
                      _NOT_BLANK),
    "limit": _query(
        "limit", "Page size, from 1 to [api] max_limit.", {"type": "integer", "minimum": 1}
    ),
    "marker": _query("marker", "id of the last item of the previous page.", _ID),
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
        "status", "Comma separated statuses to keep: healthy,degraded,failing,silent,unknown "
        "(empty: every status).",
        {**TEXT, "pattern": "^({0}(,{0})*)?$".format(f"({'|'.join(catalogue.STATUS_NAMES)})")},
    ),
    "bucket": _query("bucket", "Bucket size.", {"type": "string", "enum": ["day", "week"]}),
    "result": _query("result", "Only reports of this result word (FAILURE, NODE_FAILURE...).",
                     _filter_text("result")),
    "job": _query("job", "Only reports with a job of this name.", _filter_text("job")),
    "pipeline": _query("pipeline", "Only reports of this pipeline (check, gate...).",
                       _filter_text("pipeline")),
    "change": _query("change", "Only reports on this change number.",
                     {"type": "integer", "minimum": 1}),
    "system": {
        "name": "system",
        "in": "path",
        "required": True,
        "description": "Gerrit account id or username of the CI system.",
        "schema": {"type": "string", "maxLength": utils.MAX_KEY_LENGTH},
    },
    "number": {
        "name": "number",
        "in": "path",
        "required": True,
        "description": "Gerrit change number.",
        "schema": {**_ID, "minimum": 1},
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
        "result",
        "job",
        "pipeline",
        "change",
    ),
    "/v1/systems/{system}/failures": _get(
        "Why a system fails: by result word, by job, reasons.", "Failures", "system", *WINDOW
    ),
    "/v1/systems/{system}/missed": _get(
        "The eligible patchsets a system did not report on.", "MissedCollection", "system",
        *WINDOW, "limit", "marker",
    ),
    "/v1/systems/{system}/trend": _get(
        "A system's health per day or week.", "Trend", "system", *WINDOW, "bucket"
    ),
    "/v1/trends": _get(
        "Every system's health per day or week.",
        "TrendCollection",
        *WINDOW,
        "bucket",
        "limit",
        "marker",
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
                    # OpenAPI 3.0 has no schema of a stream (3.2's itemSchema): this one is of
                    # each event, as schemathesis reads it (heartbeat comments are no events).
                    "content": {"text/event-stream": {"schema": _obj(
                        "One Server-Sent Event.",
                        id={"type": "string", "pattern": "^[0-9]{1,18}$"},
                        event={**TEXT, "description": "The Event's kind."},
                        data={**TEXT, "description": "The Event, as JSON."},
                    )}},
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

SILENCE_SCHEMAS = {
    "Silence": _obj(
        "A maintenance window: while active, no alert of the system (every system when "
        "system_id is null) opens.",
        id=INT, system_id=_nullable(INT), username=_nullable(TEXT), starts_at=TIME,
        ends_at=TIME, comment=TEXT, author=TEXT, created_at=TIME,
        active={"type": "boolean"},
    ),
    "SilenceCollection": _obj("Silences, latest first.", silences=_array(_ref("Silence"))),
    "NewSilence": {
        "type": "object",
        "description": "A silence to create: ends_at or duration, and a comment.",
        "properties": {"system": TEXT, "starts_at": TIME, "ends_at": TIME,
                       "duration": {"type": "string", "pattern": r"^\d+[smhdw]?$"},
                       "comment": TEXT},
        "required": ["comment"],
        "additionalProperties": False,
    },
    "ContactsPatch": {
        "type": "object",
        "description": "The contact fields to set; null clears one, an omitted one is kept.",
        "properties": {"contacts": {
            "type": "object", "additionalProperties": False,
            "properties": {k: _nullable(TEXT)
                           for k in ("name", "email", "info_url", "recheck_keyword")}}},
        "required": ["contacts"],
        "additionalProperties": False,
    },
}
REQUEST_SCHEMAS = ("NewSilence", "ContactsPatch")  # request bodies, not responses
RESPONSES["Unauthorized"] = _fault("No token, or an unknown or revoked one.")
BEARER = [{"bearer": []}]


def _write(summary: str, request: str | None, schema: str, operation: str, status="200",
           params=()) -> dict:
    operation_doc = {
        "summary": summary + " Needs Authorization: Bearer <token>.",
        "operationId": operation,
        "security": BEARER,
        "parameters": [{"$ref": f"#/components/parameters/{name}"} for name in params],
        "responses": {
            status: {"description": summary,
                     "content": {"application/json": {"schema": _ref(schema)}}},
            "400": {"$ref": "#/components/responses/BadRequest"},
            "401": {"$ref": "#/components/responses/Unauthorized"},
            "404": {"$ref": "#/components/responses/NotFound"},
            "503": {"$ref": "#/components/responses/ServiceUnavailable"},
        },
    }
    if request:
        operation_doc["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": _ref(request)}}}
    return operation_doc


PARAMETERS["silence"] = {"name": "silence", "in": "path", "required": True,
                         "description": "id of the silence.",
                         "schema": {"type": "integer", "minimum": 1}}
PARAMETERS["ended"] = _query("ended", "true: ended silences too.",
                             {"type": "string", "enum": ["true", "false"]})
PATHS["/v1/silences"] = {
    **_get("Silences that have not ended.", "SilenceCollection", "ended", not_found=False),
    "post": _write("Create a silence.", "NewSilence", "Silence", "createSilence", "201"),
}
PATHS["/v1/silences/{silence}"] = {
    "delete": _write("End a silence now.", None, "Silence", "endSilence", params=("silence",)),
}
PATHS["/v1/systems/{system}"]["patch"] = _write(
    "Set a system's operator contacts.", "ContactsPatch", "SystemDetail", "patchSystem",
    params=("system",))


def document(max_limit: int | None = None) -> dict:
    """The document, with the catalogue's figures as they are now and ``max_limit`` ([api]
    max_limit; None: unstated) as the largest page size."""
    parameters = PARAMETERS
    if max_limit is not None:
        limit = PARAMETERS["limit"]
        parameters = {**PARAMETERS, "limit": {**limit, "schema": {**limit["schema"],
                                                                  "maximum": max_limit}}}
    return {**DOCUMENT, "components": {
        **DOCUMENT["components"], "schemas": {**_schemas(), **SILENCE_SCHEMAS},
        "parameters": parameters,
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}}


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
