"""What a driver sees of a case: their own data in full, the other party's masked."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from settlement.domain.case import Case, Party, PartyDetails
from settlement.domain.claim import determination_number
from settlement.domain.privacy import (
    mask_document_number,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_plate,
)


def case_for_party(case: Case, viewer_id: str) -> dict[str, Any]:
    """The JSON view of ``case`` for one of its parties."""
    viewer_label = case.label_of(viewer_id)
    return {
        "id": case.id,
        "status": case.status.value,
        "version": case.version,
        "your_party": viewer_label,
        "created_at": case.created_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
        "capture_nonce": case.capture_nonce,
        "scene": {
            "occurred_at": case.scene.occurred_at.isoformat(),
            "address": case.scene.address,
            "location": asdict(case.scene.location),
            "weather": case.scene.weather,
            "road_type": case.scene.road_type,
            "description": case.scene.description,
        },
        "parties": {
            label: _party_view(party, own=(label == viewer_label))
            for label, party in sorted(case.parties.items())
        },
        "statements_complete": case.statements_complete,
        "missing": case.missing(),
        "determination": determination_view(case, viewer_label),
        "revoked_determinations": [
            # 复核结论 are served on both parties: which document was revoked, when and why.
            {"levels": dict(r.get("levels") or {}), "decided_at": _iso(r.get("decided_at")),
             "document_number": determination_number(case, r),
             "revoked_at": _iso(r.get("revoked_at")),
             "reason": str(r.get("revoked_reason") or "")}
            for r in case.revoked_determinations
        ],
        "retake_requests": [
            # What the reviewer asked the parties to photograph again, and why (the
            # reviewer's account stays with the police).
            {"at": _iso(r.get("at")), "reason": r.get("reason", ""),
             "slots": list(r.get("slots") or [])}
            for r in (case.review or {}).get("requests") or []
        ],
    }


def determination_view(case: Case, viewer_label: str | None) -> dict[str, Any] | None:
    """The police determination as the parties receive it (程序规定第六十四条: served on
    them): levels, the rule and the officer's explanation, the 事故认定书 to download, and
    the 复核 window; None before the police decided."""
    determination = case.determination
    if not determination:
        return None
    document = determination.get("document") or {}
    requests = determination.get("reconsideration_requests") or {}
    conclusion = determination.get("reconsideration") or {}
    deadline = case.reconsideration_deadline
    decided_at = determination.get("decided_at")
    return {
        "levels": dict(determination.get("levels") or {}),
        "rule": determination.get("rule"),
        "explanation": determination.get("note") or "",
        "decided_at": _iso(decided_at),
        "document": None
        if not document.get("sha256")
        else {
            "sha256": document.get("sha256"),
            "format": document.get("format", "pdf"),
            "pdf_path": f"/api/v1/cases/{case.id}/determination.pdf"
            if document.get("format", "pdf") == "pdf"
            else None,
            "verify_path": document.get("verify_path"),
        },
        "reconsideration": {
            "deadline": deadline.isoformat() if deadline else None,
            "requests": {
                label: {
                    "at": _iso(entry.get("at")),
                    "reason": entry.get("reason") if label == viewer_label else None,
                    "status": entry.get("status", "pending"),
                }
                for label, entry in sorted(requests.items())
            },
            # The 复核结论 on this determination once given (``upheld``: it stands; a revoked
            # one is listed under ``revoked_determinations`` instead).
            "conclusion": None if not conclusion else {
                "outcome": conclusion.get("outcome"), "at": _iso(conclusion.get("at"))},
            "you_may_request": viewer_label is not None
            and viewer_label not in requests
            and not case.revoked_determinations  # the 复核 is heard once
            and not conclusion
            and deadline is not None
            and datetime.now(UTC) <= deadline,
        },
    }


def case_summary(case: Case, viewer_id: str) -> dict[str, Any]:
    return {
        "id": case.id,
        "status": case.status.value,
        "your_party": case.label_of(viewer_id),
        "occurred_at": case.scene.occurred_at.isoformat(),
        "address": case.scene.address,
        "updated_at": case.updated_at.isoformat(),
    }


def _party_view(party: Party, *, own: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
        "joined_at": party.joined_at.isoformat(),
        "details_submitted": party.details is not None,
        "statement_submitted": party.statement is not None,
        "details": None,
        "statement": None,
    }
    if party.details is not None:
        view["details"] = asdict(party.details) if own else masked_details(party.details)
    if party.statement is not None:
        statement = party.statement
        view["statement"] = {
            "own_vehicle": dict(statement.own_vehicle),
            "other_vehicle": dict(statement.other_vehicle),
            "location": dict(statement.location),
            "flags": dict(statement.flags),
            "narrative": statement.narrative,
        }
    return view


def masked_details(details: PartyDetails) -> dict[str, str]:
    """The other party's details: enough to recognise them, not to impersonate them."""
    return {
        "name": mask_name(details.name),
        "id_number": mask_id_number(details.id_number),
        "phone": mask_phone(details.phone),
        "licence_number": mask_document_number(details.licence_number),
        "licence_class": details.licence_class,
        "plate": mask_plate(details.plate),
        "vehicle_type": details.vehicle_type,
        "insurer_code": details.insurer_code,
        "policy_number": mask_document_number(details.policy_number),
    }


def _iso(value: object) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else None
