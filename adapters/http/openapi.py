"""The OpenAPI 3.1 description of the HTTP API, built from the schemas the API enforces."""

from __future__ import annotations

from typing import Any

from adapters.http.base import ApiHandler, public
from settlement.services import schemas

_PROBLEM_RESPONSE = {
    "description": "An error, with a stable code and a message a person can act on.",
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
}

_NULLABLE_OBJECT = {"type": ["object", "null"]}

_PARTY_VIEW = {
    "type": "object",
    "required": ["joined_at", "details_submitted", "statement_submitted", "details", "statement"],
    "properties": {
        "joined_at": {"type": "string"},
        "details_submitted": {"type": "boolean"},
        "statement_submitted": {"type": "boolean"},
        "details": _NULLABLE_OBJECT,
        "statement": _NULLABLE_OBJECT,
    },
}

_CASE_VIEW = {
    "type": "object",
    "required": [
        "id",
        "status",
        "version",
        "your_party",
        "scene",
        "parties",
        "statements_complete",
        "missing",
        "capture_nonce",
    ],
    "properties": {
        "id": {"type": "string"},
        "status": {"type": "string", "enum": schemas.CASE_STATUSES},
        "version": {"type": "integer"},
        "your_party": {"type": "string", "enum": ["A", "B"]},
        "capture_nonce": {"type": "string"},
        "scene": {"type": "object"},
        "parties": {"type": "object", "additionalProperties": _PARTY_VIEW},
        "statements_complete": {"type": "boolean"},
        "missing": {"type": "array", "items": {"type": "string"}},
        "determination": {"$ref": "#/components/schemas/Determination"},
        "revoked_determinations": {
            "type": "array",
            "description": "Determinations a reconsideration (复核) revoked: their levels, "
                           "document number, when they were decided and revoked, and the "
                           "conclusion's reason.",
            "items": {"type": "object", "properties": {
                "levels": {"type": "object", "additionalProperties": {"type": "string"}},
                "decided_at": {"type": ["string", "null"]},
                "document_number": {"type": "string"},
                "revoked_at": {"type": ["string", "null"]}, "reason": {"type": "string"}}},
        },
        "retake_requests": {
            "type": "array",
            "description": "Photos the police reviewer asked the parties to take again, and why.",
            "items": {"type": "object", "properties": {
                "at": {"type": ["string", "null"]}, "reason": {"type": "string"},
                "slots": {"type": "array", "items": {"type": "string"}}}},
        },
    },
}

_DETERMINATION = {
    "type": ["object", "null"],
    "description": "The police determination as served on the parties; null before it.",
    "required": ["levels", "rule", "explanation", "decided_at", "document", "reconsideration"],
    "properties": {
        "levels": {"type": "object", "additionalProperties": {"type": "string"}},
        "rule": {"type": ["string", "null"]},
        "explanation": {"type": "string"},
        "decided_at": {"type": ["string", "null"]},
        "document": {
            "type": ["object", "null"],
            "properties": {
                "sha256": {"type": "string"},
                "format": {"type": "string"},
                "pdf_path": {"type": ["string", "null"]},
                "verify_path": {"type": ["string", "null"]},
            },
        },
        "reconsideration": {
            "type": "object",
            "description": "复核 (程序规定第七十一条): within three days, once per party.",
            "required": ["deadline", "requests", "conclusion", "you_may_request"],
            "properties": {
                "deadline": {"type": ["string", "null"]},
                "requests": {"type": "object"},
                "conclusion": {
                    "type": ["object", "null"],
                    "description": "The 复核结论 once given: outcome upheld (the "
                                   "determination stands) and when; null while none.",
                    "properties": {"outcome": {"type": "string", "enum": ["upheld"]},
                                   "at": {"type": ["string", "null"]}},
                },
                "you_may_request": {"type": "boolean"},
            },
        },
    },
}

_BINARY = {"schema": {"type": "string", "format": "binary"}}

_CASE_SUMMARY = {
    "type": "object",
    "required": ["id", "status", "your_party", "occurred_at", "address", "updated_at"],
    "properties": {
        "id": {"type": "string"},
        "status": {"type": "string", "enum": schemas.CASE_STATUSES},
        "your_party": {"type": "string"},
        "occurred_at": {"type": "string"},
        "address": {"type": "string"},
        "updated_at": {"type": "string"},
    },
}

_CASE_ID_PARAMETER = {
    "name": "case_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^C[0-9A-Z]{1,40}$"},
}

_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Same key and body: the first response again, one effect.",
    "schema": {"type": "string", "maxLength": 128},
}


_PROPOSAL_VIEW = {
    "type": "object",
    "required": ["case_id", "status", "your_party", "proposal", "agreement"],
    "properties": {
        "case_id": {"type": "string"},
        "status": {"type": "string", "enum": schemas.CASE_STATUSES},
        "your_party": {"type": "string", "enum": ["A", "B"]},
        "proposal": _NULLABLE_OBJECT,
        "overruled_by_determination": {"type": "boolean"},
        "determination": {"$ref": "#/components/schemas/Determination"},
        "agreement": {
            "type": "object",
            "required": ["accepted", "signed", "declined", "document"],
            "properties": {
                "accepted": {"type": "object"},
                "signed": {"type": "object"},
                "declined": _NULLABLE_OBJECT,
                "document": _NULLABLE_OBJECT,
            },
        },
    },
}

_MONEY = {"type": ["string", "null"], "description": "Yuan as a decimal string."}

_CLAIMS_VIEW = {
    "type": "object",
    "required": ["case_id", "status", "your_party", "claims", "mediation"],
    "properties": {
        "case_id": {"type": "string"},
        "status": {"type": "string", "enum": schemas.CASE_STATUSES},
        "your_party": {"type": "string", "enum": ["A", "B"]},
        "claims": {
            "type": "array",
            "description": "One claim per party and cover (交强险, 商三, 车损险), filed with "
            "the party's insurer when the case was settled.",
            "items": {
                "type": "object",
                "required": ["claim_id", "party", "cover", "insurer_code", "claim_number",
                             "status", "liability_share", "amount_due", "history"],
                "properties": {
                    "claim_id": {"type": "string"},
                    "party": {"type": "string", "enum": ["A", "B"]},
                    "cover": {"type": "string",
                              "enum": ["compulsory", "commercial_third_party", "own_damage"]},
                    "insurer_code": {"type": "string"},
                    "claim_number": {"type": ["string", "null"]},
                    "status": {"type": "string", "enum": [
                        "filed", "acknowledged", "assessed", "approved", "paid", "rejected",
                        "cancelled"]},
                    "decided_by": {"type": "string", "enum": ["agreement", "determination"]},
                    "document_number": {"type": "string"},
                    "liability_level": {"type": "string"},
                    "liability_share": {"type": "string"},
                    "own_loss": _MONEY,
                    "third_party_loss": _MONEY,
                    "amount_due": _MONEY,
                    "payout_lines": {"type": "array", "items": {"type": "object"}},
                    "assessment": _NULLABLE_OBJECT,
                    "payout": _NULLABLE_OBJECT,
                    "history": {"type": "array", "items": {
                        "type": "object", "required": ["status", "at", "by"],
                        "properties": {"status": {"type": "string"}, "at": {"type": "string"},
                                       "by": {"type": "string"},
                                       "reason": {"type": "string"}}}},
                    "filed_at": {"type": "string"},
                    "updated_at": {"type": "string"},
                },
            },
        },
        "mediation": {
            "type": ["object", "null"],
            "description": "Court mediation once asked for: its state (requested, received, "
            "mediating, awaiting_confirmation, confirmed, …) and outcome.",
        },
    },
}  # fmt: skip

_SIGNATURE_REQUEST = {
    "type": "object",
    "required": ["confirmation", "expires_at", "terms_sha256"],
    "properties": {
        "confirmation": {"type": "string"},
        "expires_at": {"type": "string"},
        "terms_sha256": {"type": "string"},
    },
}

_VERIFICATION = {
    "type": "object",
    "required": ["sha256", "issued", "kind", "case_id", "issued_at"],
    "properties": {
        "sha256": {"type": "string"},
        "issued": {"type": "boolean"},
        "kind": {"type": ["string", "null"]},
        "case_id": {"type": ["string", "null"]},
        "issued_at": {"type": ["string", "null"]},
    },
}


_LABEL = {
    "type": "object",
    "required": ["zh", "en"],
    "properties": {"zh": {"type": "string"}, "en": {"type": "string"}},
}

_LABELS = {
    "type": "object",
    "required": ["langs", "labels"],
    "properties": {
        "langs": {"type": "array", "items": {"type": "string", "enum": ["zh", "en"]}},
        "labels": {
            "type": "object",
            "description": "kind → code → label; for facts values the kind is the facts key "
            "(e.g. `manoeuvre`), and `fact_field` labels the keys themselves.",
            "additionalProperties": {"type": "object", "additionalProperties": _LABEL},
        },
    },
}


_PHOTO_VIEW = {
    "type": "object",
    "required": ["id", "party", "slot", "sha256", "received_at", "verdict", "reasons",
                 "reused_elsewhere"],
    "properties": {
        "id": {"type": "string"}, "party": {"type": "string"}, "slot": {"type": "string"},
        "sha256": {"type": "string"}, "received_at": {"type": "string"},
        "verdict": {"type": "string"},
        "reasons": {"type": "array", "items": {
            "type": "object", "required": ["code", "outcome", "zh", "en"],
            "properties": {name: {"type": "string"} for name in ("code", "outcome", "zh", "en")}}},
        "reused_elsewhere": {"type": "boolean"},
    },
}  # fmt: skip

_CHECKLIST = {
    "type": "object",
    "required": ["complete", "missing_for_case", "missing_by_party", "scene_photo_count",
                 "too_few", "too_many"],
    "properties": {
        "complete": {"type": "boolean"},
        "missing_for_case": {"type": "array", "items": {"type": "string"}},
        "missing_by_party": {"type": "object"},
        "scene_photo_count": {"type": "integer"},
        "too_few": {"type": "boolean"}, "too_many": {"type": "boolean"},
    },
}  # fmt: skip

_PHOTO_UPLOADED = {
    "type": "object", "required": ["photo", "checklist"],
    "properties": {"photo": _PHOTO_VIEW, "checklist": _CHECKLIST},
}  # fmt: skip

_PHOTO_LIST = {
    "type": "object", "required": ["photos", "checklist"],
    "properties": {"photos": {"type": "array", "items": _PHOTO_VIEW}, "checklist": _CHECKLIST},
}  # fmt: skip

_ACCESS_LOG = {
    "type": "object", "required": ["case_id", "entries"],
    "properties": {
        "case_id": {"type": "string"},
        "entries": {"type": "array", "items": {
            "type": "object", "required": ["at", "who", "kind", "role", "action", "outcome"],
            "properties": {name: {"type": "string"}
                           for name in ("at", "who", "kind", "role", "action", "outcome")}}},
    },
}  # fmt: skip


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _operation(
    summary: str,
    *,
    ok: int = 200,
    response: dict[str, Any] | None = None,
    body: dict[str, Any] | None = None,
    secured: bool = True,
    case_id: bool = False,
    post: bool = False,
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "responses": {
            str(ok): {"description": "Success", **_json(response or {"type": "object"})},
            "default": _PROBLEM_RESPONSE,
        },
    }
    parameters: list[dict[str, Any]] = []
    if case_id:
        parameters.append(_CASE_ID_PARAMETER)
    if post and secured:
        parameters.append(_IDEMPOTENCY_KEY)
    if parameters:
        operation["parameters"] = parameters
    if body is not None:
        operation["requestBody"] = {"required": True, **_json(body)}
    operation["security"] = [{"bearer": []}] if secured else []
    return operation


# --- pages for browsers (the console, the front door, document verification) -------------

_ROLES = {"reviewer": ["reviewer", "supervisor", "admin"], "supervisor": ["supervisor", "admin"],
          "admin": ["admin"]}  # fmt: skip
"""Console roles include the rights of the ones before them."""

_PATH_PARAMETERS = {
    "case_id": {"type": "string", "pattern": "^C[0-9A-Z]{1,40}$"},
    "photo_id": {"type": "string", "pattern": "^[0-9a-zA-Z_-]{1,64}$"},
    "size": {"enum": ["thumb", "full"]},
    "message_id": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
    "lang": {"type": "string", "pattern": "^[a-z]{2}$"},
    "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    "path": {"type": "string"},
}
_DECISION = ("rule", "level_A", "level_B", "basis_statute", "basis_article", "reason", "note",
             "edit", "confirm")  # fmt: skip

# path, method, who may call it ("public" or the least console role), what it is, query
# parameters, form fields (POST), and what a success answers (media types or "redirect").
_PAGES: tuple[tuple[str, str, str, str, tuple[str, ...], tuple[str, ...], str], ...] = (
    ("/", "get", "public", "Front door: what this service is and where to go", (), (),
     "text/html"),
    ("/api/docs", "get", "public", "The API described for people", (), (), "text/html"),
    ("/verify/{sha256}", "get", "public", "What a document's QR code opens: was it issued "
     "(Accept: application/json gives JSON)", (), (), "text/html"),
    ("/console", "get", "reviewer", "Console home (to the queue)", (), (), "redirect"),
    ("/console/login", "get", "public", "Console sign-in form", ("next",), (), "text/html"),
    ("/console/login", "post", "public", "Sign in to the console", (),
     ("username", "password", "next"), "redirect"),
    ("/console/logout", "post", "reviewer", "Sign out", (), (), "redirect"),
    ("/console/lang/{lang}", "get", "public", "Choose the console's language", ("next",), (),
     "redirect"),
    ("/console/queue", "get", "reviewer", "Cases waiting for police review", (), (),
     "text/html"),
    ("/console/cases/{case_id}", "get", "reviewer", "A case for review", ("done",), (),
     "text/html"),
    ("/console/cases/{case_id}/claim", "post", "reviewer", "Take a case", (), ("version",),
     "redirect"),
    ("/console/cases/{case_id}/determine", "get", "reviewer", "The decision form", (), (),
     "text/html"),
    ("/console/cases/{case_id}/determine", "post", "reviewer",
     "Check a decision (the confirmation page); confirm=1 issues the 事故认定书", (),
     _DECISION, "text/html|redirect"),
    ("/console/cases/{case_id}/retake", "post", "reviewer", "Ask for photos to be retaken",
     (), ("slots", "reason"), "redirect"),
    ("/console/cases/{case_id}/refuse", "post", "reviewer", "Refuse quick handling", (),
     ("reason",), "redirect"),
    ("/console/cases/{case_id}/regrade", "post", "reviewer", "Correct a damage grade", (),
     ("party", "grade", "reason"), "redirect"),
    ("/console/cases/{case_id}/mediation", "post", "reviewer", "Refer to court mediation",
     (), ("reason",), "redirect"),
    ("/console/cases/{case_id}/reconsideration", "post", "supervisor",
     "Conclude a 复核: uphold the determination, or revoke it (its claims are withdrawn)",
     (), ("outcome", "reason"), "redirect"),
    ("/console/cases/{case_id}/reveal", "get", "reviewer", "The case with a revealed field",
     (), (), "text/html"),
    ("/console/cases/{case_id}/reveal", "post", "reviewer",
     "Reveal a masked field (audited with the reason)", (), ("party", "field", "reason"),
     "text/html"),
    ("/console/cases/{case_id}/document", "get", "reviewer", "The issued document", (), (),
     "text/html"),
    ("/console/cases/{case_id}/document.pdf", "get", "reviewer", "The issued document (PDF)",
     (), (), "application/pdf"),
    ("/console/cases/{case_id}/photos/{photo_id}/{size}", "get", "reviewer", "A case photo",
     (), (), "image/jpeg"),
    ("/console/search", "get", "reviewer", "Search cases", ("q", "date"), (), "text/html"),
    ("/console/supervision", "get", "supervisor", "Supervision dashboard", ("done",), (),
     "text/html"),
    ("/console/cases/{case_id}/release", "post", "supervisor", "Release a taken case", (),
     ("reason",), "redirect"),
    ("/console/cases/{case_id}/reassign", "post", "supervisor", "Reassign a taken case", (),
     ("to", "reason"), "redirect"),
    ("/console/audit", "get", "supervisor", "The audit trail, filtered; verify=1 checks it",
     ("case_id", "actor", "action", "verify"), (), "text/html"),
    ("/console/admin/staff", "get", "admin", "Staff accounts", (), (), "text/html"),
    ("/console/outbox", "get", "supervisor", "Partner backlog and dead letters", ("done",), (),
     "text/html"),
    ("/console/outbox/replay-all", "post", "supervisor", "Replay every dead letter", (), (),
     "redirect"),
    ("/console/outbox/{message_id}", "get", "supervisor",
     "One outbox message (personal data masked)", (), (), "text/html"),
    ("/console/outbox/{message_id}/replay", "post", "supervisor",
     "Replay a dead letter (same request id)", (), (), "redirect"),
    ("/console/outbox/{message_id}/cancel", "post", "supervisor",
     "Never send this pending or dead message", (), ("reason",), "redirect"),
    ("/console/static/{path}", "get", "public", "The console's CSS and JS", (), (), "*/*"),
    ("/console/static/{path}", "head", "public", "The console's CSS and JS (headers)", (), (),
     "*/*"),
)  # fmt: skip


def _page(path: str, method: str, access: str, summary: str, query: tuple[str, ...],
          fields: tuple[str, ...], answer: str) -> dict[str, Any]:  # fmt: skip
    """An HTML page or form post of the console or the front door, with who may call it."""
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": _PATH_PARAMETERS[name]}
        for name in _PATH_PARAMETERS if f"{{{name}}}" in path
    ]  # fmt: skip
    parameters += [{"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
                   for name in query]  # fmt: skip
    success: dict[str, Any] = {}
    for kind in answer.split("|"):
        if kind == "redirect":
            success["302"] = {"description": "Done: on to the next page (Location)"}
        else:
            success["200"] = {"description": "The page",
                              "content": {kind: {"schema": {"type": "string"}}}}  # fmt: skip
    operation: dict[str, Any] = {
        "summary": summary,
        "tags": ["pages"],
        "parameters": parameters,
        "responses": {**success, "default": {"description": "An error page",
                                             "content": {"text/html": {"schema": {
                                                 "type": "string"}}}}},
    }  # fmt: skip
    if access == "public":
        operation["security"] = []
    else:
        operation["security"] = [{"consoleSession": []}]
        operation["x-roles"] = _ROLES[access]
        if method == "get":
            operation["responses"]["302"] = {"description": "Not signed in: to the sign-in page"}
    if method == "post":
        # Forms carry the XSRF token of the _xsrf cookie (console pages check it).
        properties: dict[str, Any] = {name: {"type": "string"} for name in ("_xsrf", *fields)}
        if "slots" in fields:
            properties["slots"] = {"type": "array", "items": {"type": "string"}}
        operation["requestBody"] = {"required": True, "content": {
            "application/x-www-form-urlencoded": {"schema": {
                "type": "object", "required": ["_xsrf"], "properties": properties}}}}  # fmt: skip
    return operation


def page_paths() -> dict[str, dict[str, Any]]:
    """Every HTML route of the application, by path and method."""
    paths: dict[str, dict[str, Any]] = {}
    for path, method, access, summary, query, fields, answer in _PAGES:
        paths.setdefault(path, {})[method] = _page(path, method, access, summary, query, fields,
                                                   answer)  # fmt: skip
    return paths


def openapi_document() -> dict[str, Any]:
    case_view = {"$ref": "#/components/schemas/CaseView"}
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "Accident quick-settlement API",
            "version": "1.0.0",
            "description": "Drivers' API for the WeChat mini-program. Errors are "
            "application/problem+json documents with a stable `code`. Operations tagged "
            "`pages` are the HTML pages of the police console and the front door, for "
            "browsers; `x-roles` names the console roles that may open each.",
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/healthz": {"get": _operation("Liveness", secured=False)},
            "/readyz": {
                "get": {
                    **_operation("Readiness (database reachable)", secured=False),
                    "responses": {
                        "200": {"description": "Ready", **_json({"type": "object"})},
                        "503": {"description": "Not ready", **_json({"type": "object"})},
                        "default": _PROBLEM_RESPONSE,
                    },
                }
            },
            "/api/v1/labels": {
                "get": {
                    **_operation(
                        "Chinese and English labels of every code (cacheable, ETag)",
                        response=_LABELS, secured=False,
                    ),
                    "responses": {
                        "200": {
                            "description": "The label catalogue",
                            "headers": {
                                "ETag": {"schema": {"type": "string"}},
                                "Cache-Control": {"schema": {"type": "string"}},
                            },
                            **_json(_LABELS),
                        },
                        "304": {"description": "Not modified (If-None-Match matched the ETag)"},
                        "default": _PROBLEM_RESPONSE,
                    },
                }
            },
            "/api/v1/auth/wechat": {
                "post": _operation(
                    "Sign in with a wx.login code",
                    body=schemas.WECHAT_LOGIN,
                    secured=False,
                    post=True,
                    response={
                        "type": "object",
                        "required": ["token", "token_type", "expires_at", "user_id"],
                        "properties": {
                            "token": {"type": "string"},
                            "token_type": {"const": "Bearer"},
                            "expires_at": {"type": "string"},
                            "user_id": {"type": "string"},
                        },
                    },
                )
            },
            "/api/v1/auth/sign-out": {
                "post": {
                    **_operation(
                        "Sign out: the token is refused from now on (signing out again is "
                        "answered 401 NOT_AUTHENTICATED, like any call with it)",
                        post=True,
                    ),
                    "responses": {
                        "204": {"description": "Signed out"},
                        "default": _PROBLEM_RESPONSE,
                    },
                }
            },
            "/api/v1/cases": {
                "post": _operation(
                    "Open a case", ok=201, body=schemas.CREATE_CASE, response=case_view, post=True
                ),
                "get": {
                    **_operation(
                        "List my cases",
                        response={
                            "type": "object",
                            "required": ["cases"],
                            "properties": {"cases": {"type": "array", "items": _CASE_SUMMARY}},
                        },
                    ),
                    "parameters": [
                        {
                            "name": "limit",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 200},
                        }
                    ],
                },
            },
            "/api/v1/cases/join": {
                "post": _operation(
                    "Join a case with a code", body=schemas.JOIN_CASE, response=case_view, post=True
                )
            },
            "/api/v1/cases/{case_id}": {
                "get": _operation("Read one of my cases", response=case_view, case_id=True)
            },
            "/api/v1/cases/{case_id}/invitation": {
                "post": _operation(
                    "Invite the other party (join code and QR payload)",
                    ok=201,
                    case_id=True,
                    post=True,
                    response={
                        "type": "object",
                        "required": ["code", "expires_at", "qr_payload"],
                        "properties": {
                            "code": {"type": "string"},
                            "expires_at": {"type": "string"},
                            "qr_payload": {"type": "string"},
                        },
                    },
                )
            },
            "/api/v1/cases/{case_id}/details": {
                "post": _operation(
                    "Give my identity, vehicle and insurer",
                    body=schemas.PARTY_DETAILS,
                    response=case_view,
                    case_id=True,
                    post=True,
                )
            },
            "/api/v1/cases/{case_id}/statement": {
                "post": _operation(
                    "Give my own account of the accident",
                    body=schemas.STATEMENT,
                    response=case_view,
                    case_id=True,
                    post=True,
                )
            },
            "/api/v1/cases/{case_id}/withdraw": {
                "post": _operation(
                    "Withdraw a case I opened", response=case_view, case_id=True, post=True
                )
            },
            "/api/v1/cases/{case_id}/proposal": {
                "post": _operation(
                    "Compute the liability and payout proposal from both statements",
                    response=_PROPOSAL_VIEW, case_id=True, post=True,
                ),
                "get": _operation(
                    "Read the proposal and the agreement's progress",
                    response=_PROPOSAL_VIEW, case_id=True,
                ),
            },
            "/api/v1/cases/{case_id}/accept": {
                "post": _operation(
                    "Accept the proposed liability and payout",
                    response=_PROPOSAL_VIEW, case_id=True, post=True,
                )
            },
            "/api/v1/cases/{case_id}/signature-request": {
                "post": _operation(
                    "Get a one-time confirmation to sign the agreement (after accepting)",
                    ok=201, response=_SIGNATURE_REQUEST, case_id=True, post=True,
                )
            },
            "/api/v1/cases/{case_id}/sign": {
                "post": _operation(
                    "Sign the agreement with a one-time confirmation",
                    body=schemas.SIGN_AGREEMENT, response=_PROPOSAL_VIEW, case_id=True, post=True,
                )
            },
            "/api/v1/cases/{case_id}/decline": {
                "post": _operation(
                    "Decline the proposal: the police determine liability online",
                    body=schemas.DECLINE_PROPOSAL, response=_PROPOSAL_VIEW, case_id=True,
                    post=True,
                )
            },
            "/api/v1/cases/{case_id}/agreement.pdf": {
                "get": {
                    **_operation("Download the signed agreement (PDF)", case_id=True),
                    "responses": {
                        "200": {
                            "description": "The agreement",
                            "content": {
                                "application/pdf": {
                                    "schema": {"type": "string", "format": "binary"}
                                }
                            },
                        },
                        "default": _PROBLEM_RESPONSE,
                    },
                }
            },
            "/api/v1/cases/{case_id}/determination.pdf": {
                "get": {
                    **_operation("Download the police determination (事故认定书, PDF)",
                                 case_id=True),
                    "responses": {
                        "200": {"description": "The determination",
                                "content": {"application/pdf": _BINARY}},
                        "default": _PROBLEM_RESPONSE,
                    },
                }
            },
            "/api/v1/cases/{case_id}/reconsideration": {
                "post": _operation(
                    "Ask for a reconsideration (复核) of the police determination, with a reason",
                    ok=201, body=schemas.RECONSIDERATION_REQUEST, response=_PROPOSAL_VIEW,
                    case_id=True, post=True,
                )
            },
            "/api/v1/cases/{case_id}/claims": {
                "get": _operation(
                    "Every insurance claim of the case (insurer, claim number, status history, "
                    "assessment, payout) and the court mediation's state and outcome",
                    response=_CLAIMS_VIEW, case_id=True,
                )
            },
            "/api/v1/cases/{case_id}/mediation": {
                "post": _operation(
                    "Ask for court mediation of the compensation, once liability is settled",
                    ok=201, body=schemas.MEDIATION_REQUEST, response=_CLAIMS_VIEW,
                    case_id=True, post=True,
                )
            },
            "/api/v1/cases/{case_id}/return-to-police": {
                "post": _operation(
                    "Photos retaken as the reviewer asked: send the case back to the police queue",
                    response=_PROPOSAL_VIEW, case_id=True, post=True,
                )
            },
            "/api/v1/cases/{case_id}/invitation/wxacode": {
                "post": {
                    **_operation(
                        "The join code as a mini-program code (scene c=<code>, join page)",
                        body=schemas.JOIN_CASE, case_id=True, post=True,
                    ),
                    "responses": {
                        "200": {"description": "The picture",
                                "content": {"image/png": _BINARY, "image/jpeg": _BINARY}},
                        "default": _PROBLEM_RESPONSE,
                    },
                }
            },
            "/api/v1/me/phone": {
                "post": _operation(
                    "Verify my phone number with a getPhoneNumber code (single use)",
                    body=schemas.PHONE_CODE, post=True,
                    response={"type": "object", "required": ["phone", "verified"],
                              "properties": {"phone": {"type": "string"},
                                             "verified": {"type": "boolean"}}},
                )
            },
            "/api/v1/insurers": {
                "get": _operation(
                    "The insurers a driver can choose, and whether claims go to them online",
                    secured=False,
                    response={"type": "object", "required": ["insurers"], "properties": {
                        "insurers": {"type": "array", "items": {
                            "type": "object",
                            "required": ["code", "name_zh", "name_en", "online_claims"],
                            "properties": {"code": {"type": "string"},
                                           "name_zh": {"type": "string"},
                                           "name_en": {"type": "string"},
                                           "online_claims": {"type": "boolean"}}}}}},
                )
            },
            "/api/v1/eligibility": {
                "post": _operation(
                    "At the scene: may this accident be handled online, and if not, why and "
                    "what to do now",
                    secured=False,
                    body={"type": "object", "required": ["vehicles"], "properties": {
                        "flags": {"type": "object"}, "vehicles": {"type": "object"},
                        "location": {"type": "object"}}},
                    response={"type": "object",
                              "required": ["allowed", "disputed", "route", "guidance", "refusals"],
                              "properties": {"allowed": {"type": "boolean"},
                                             "disputed": {"type": "boolean"},
                                             "route": {"type": "string"},
                                             "guidance": {"type": "object"},
                                             "refusals": {"type": "array"}}},
                )
            },
            "/api/v1/notices/templates": {
                "get": _operation(
                    "Subscription-message template ids by notice, for wx.requestSubscribeMessage",
                    secured=False,
                    response={"type": "object", "required": ["templates"], "properties": {
                        "templates": {"type": "object",
                                      "additionalProperties": {"type": "string"}}}},
                )
            },
            "/api/v1/openapi.json": {
                "get": _operation("This description (OpenAPI 3.1)", secured=False)
            },
            "/api/v1/cases/{case_id}/photos": {
                "post": {
                    **_operation("Upload one photo (wx.uploadFile); retries reuse upload_id",
                                 ok=201, response=_PHOTO_UPLOADED, case_id=True),
                    "requestBody": {"required": True, "content": {
                        "multipart/form-data": {"schema": schemas.PHOTO_UPLOAD_FORM}}},
                },
                "get": _operation("My case's photos I may see, and what is still missing",
                                  response=_PHOTO_LIST, case_id=True),
            },
            "/api/v1/cases/{case_id}/photos/{photo_id}/{variant}": {
                "get": {
                    **_operation("A photo's bytes: the other party's as privacy copy or "
                                 "thumbnail only", case_id=True),
                    "parameters": [
                        _CASE_ID_PARAMETER,
                        {"name": "photo_id", "in": "path", "required": True,
                         "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"}},
                        {"name": "variant", "in": "path", "required": True,
                         "schema": {"type": "string",
                                    "enum": ["thumbnail", "privacy", "original"]}},
                    ],
                    "responses": {
                        "200": {"description": "The image", "content": {
                            kind: {"schema": {"type": "string", "format": "binary"}}
                            for kind in ("image/jpeg", "image/png", "image/webp")}},
                        "default": _PROBLEM_RESPONSE,
                    },
                }
            },
            "/api/v1/cases/{case_id}/access-log": {
                "get": _operation("Who viewed or changed my case", response=_ACCESS_LOG,
                                  case_id=True)
            },
            "/api/v1/documents/{sha256}/verify": {
                "get": {
                    **_operation(
                        "Was a document with this SHA-256 issued, and for which case",
                        response=_VERIFICATION, secured=False,
                    ),
                    "parameters": [
                        {
                            "name": "sha256",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                        }
                    ],
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                # The console's session cookie (__Host-console over HTTPS).
                "consoleSession": {"type": "apiKey", "in": "cookie", "name": "__Host-console"},
            },
            "schemas": {"Problem": schemas.PROBLEM, "CaseView": _CASE_VIEW,
                        "Determination": _DETERMINATION},
        },
    }
    document["paths"].update(page_paths())
    return document


class OpenApiHandler(ApiHandler):
    @public
    def get(self) -> None:
        self.respond(openapi_document())


routes: list[tuple[str, type[ApiHandler], dict[str, Any] | None]] = [
    (r"/api/v1/openapi.json", OpenApiHandler, None),
]
