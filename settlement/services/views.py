"""What a driver sees of a case: their own data in full, the other party's masked."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from settlement.domain.case import Case, Party, PartyDetails
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
