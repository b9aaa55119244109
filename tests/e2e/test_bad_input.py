"""Hostile and malformed requests: always a 4xx with a stable code, and nothing written."""

from __future__ import annotations

from typing import Any

import pytest

from tests.builders import new_case, party_details, statement
from tests.e2e.conftest import Api, body


async def _case_count(api: Api) -> int:
    return int(await api.runtime.db["cases"].count_documents({}))


async def _open_case_with_both_parties(api: Api) -> tuple[str, str, str]:
    alice = await api.sign_in()
    bob = await api.sign_in()
    case_id = body(await api.call("POST", "/api/v1/cases", new_case(), token=alice))["id"]
    code = body(await api.call("POST", f"/api/v1/cases/{case_id}/invitation", token=alice))["code"]
    joined = await api.call("POST", "/api/v1/cases/join", {"code": code}, token=bob)
    assert joined.code == 200
    return case_id, alice, bob


BAD_CASE_BODIES: list[tuple[str, Any, int, str, str]] = [
    ("malformed json", b"{not json", 400, "MALFORMED_BODY", "body"),
    ("array body", [], 422, "INVALID_INPUT", "body"),
    ("missing field", {k: v for k, v in new_case().items() if k != "address"}, 422,
     "INVALID_INPUT", "address"),
    ("wrong type", new_case(location={"latitude": "north", "longitude": 1}), 422,
     "INVALID_INPUT", "location.latitude"),
    ("out of range", new_case(location={"latitude": 91, "longitude": 1}), 422,
     "INVALID_INPUT", "location.latitude"),
    ("unknown enum", new_case(weather="meteor_shower"), 422, "INVALID_INPUT", "weather"),
    ("unknown field", new_case(admin=True), 422, "INVALID_INPUT", "admin"),
    ("naive time", new_case(occurred_at="2026-11-20T08:30:00"), 422, "INVALID_INPUT",
     "occurred_at"),
    ("future time", new_case(occurred_at="2099-01-01T00:00:00+08:00"), 422, "INVALID_INPUT",
     "occurred_at"),
    ("empty string", new_case(address=""), 422, "INVALID_INPUT", "address"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("label", "payload", "status", "code", "field"),
    BAD_CASE_BODIES,
    ids=[case[0] for case in BAD_CASE_BODIES],
)
async def test_bad_case_bodies_are_refused_and_nothing_is_written(
    api: Api, label: str, payload: Any, status: int, code: str, field: str
) -> None:
    token = await api.sign_in()
    raw = payload if isinstance(payload, bytes) else None
    answer = await api.call("POST", "/api/v1/cases", None if raw else payload, token=token, raw=raw)
    assert answer.code == status, answer.body
    assert answer.headers["Content-Type"] == "application/problem+json"
    problem = body(answer)
    assert problem["code"] == code
    assert problem["status"] == status
    assert problem["message"]
    if status == 422:
        assert problem["details"]["field"] == field
    assert await _case_count(api) == 0


async def test_wrong_content_type_is_415(api: Api) -> None:
    token = await api.sign_in()
    answer = await api.call(
        "POST", "/api/v1/cases", new_case(), token=token, headers={"Content-Type": "text/plain"}
    )
    assert answer.code == 415
    assert body(answer)["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert await _case_count(api) == 0


async def test_oversized_body_is_413(api: Api) -> None:
    token = await api.sign_in()
    huge = new_case(description="撞" * 200_000)
    answer = await api.call("POST", "/api/v1/cases", huge, token=token)
    assert answer.code == 413
    assert body(answer)["code"] == "PAYLOAD_TOO_LARGE"
    assert await _case_count(api) == 0


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "NOT_AUTHENTICATED"),
        ("Bearer ", "NOT_AUTHENTICATED"),
        ("Basic dXNlcjpwYXNz", "NOT_AUTHENTICATED"),
        ("Bearer forged-token-that-was-never-issued", "NOT_AUTHENTICATED"),
    ],
)
async def test_missing_or_forged_token_is_401(api: Api, header: str | None, code: str) -> None:
    headers = {} if header is None else {"Authorization": header}
    answer = await api.call("POST", "/api/v1/cases", new_case(), headers=headers)
    assert answer.code == 401
    assert body(answer)["code"] == code
    assert await _case_count(api) == 0


async def test_expired_token_is_401_token_expired(api: Api) -> None:
    token = await api.sign_in()
    await api.runtime.db["sessions"].update_many({}, {"$set": {"expires_at": _past()}})
    answer = await api.call("GET", "/api/v1/cases", token=token)
    assert answer.code == 401
    assert body(answer)["code"] == "TOKEN_EXPIRED"


async def test_someone_elses_case_is_404_like_a_missing_one(api: Api) -> None:
    case_id, _alice, _bob = await _open_case_with_both_parties(api)
    mallory = await api.sign_in()
    theirs = await api.call("GET", f"/api/v1/cases/{case_id}", token=mallory)
    missing = await api.call("GET", "/api/v1/cases/C000000000000000", token=mallory)
    assert theirs.code == missing.code == 404
    assert body(theirs)["code"] == body(missing)["code"] == "CASE_NOT_FOUND"
    assert body(theirs)["message"] == body(missing)["message"]
    before = await api.runtime.db["cases"].find_one({"_id": case_id})
    for path, payload in (
        ("details", party_details()),
        ("statement", statement()),
        ("invitation", None),
        ("withdraw", None),
    ):
        answer = await api.call("POST", f"/api/v1/cases/{case_id}/{path}", payload, token=mallory)
        assert answer.code == 404, path
    assert await api.runtime.db["cases"].find_one({"_id": case_id}) == before


async def test_join_code_is_single_use_and_expires(api: Api) -> None:
    alice = await api.sign_in()
    bob = await api.sign_in()
    carol = await api.sign_in()
    case_id = body(await api.call("POST", "/api/v1/cases", new_case(), token=alice))["id"]
    code = body(await api.call("POST", f"/api/v1/cases/{case_id}/invitation", token=alice))["code"]
    assert (await api.call("POST", "/api/v1/cases/join", {"code": code}, token=bob)).code == 200
    reused = await api.call("POST", "/api/v1/cases/join", {"code": code}, token=carol)
    assert reused.code == 409
    assert body(reused)["code"] == "JOIN_CODE_INVALID"

    other = body(await api.call("POST", "/api/v1/cases", new_case(), token=alice))["id"]
    code = body(await api.call("POST", f"/api/v1/cases/{other}/invitation", token=alice))["code"]
    await api.runtime.db["cases"].update_one(
        {"_id": other}, {"$set": {"invitation.expires_at": _past()}}
    )
    expired = await api.call("POST", "/api/v1/cases/join", {"code": code}, token=carol)
    assert body(expired)["code"] == "JOIN_CODE_INVALID"
    wrong = await api.call("POST", "/api/v1/cases/join", {"code": "00000000"}, token=carol)
    assert body(wrong)["code"] == "JOIN_CODE_INVALID"
    case = body(await api.call("GET", f"/api/v1/cases/{other}", token=alice))
    assert list(case["parties"]) == ["A"]


async def test_opener_cannot_join_own_case(api: Api) -> None:
    alice = await api.sign_in()
    case_id = body(await api.call("POST", "/api/v1/cases", new_case(), token=alice))["id"]
    code = body(await api.call("POST", f"/api/v1/cases/{case_id}/invitation", token=alice))["code"]
    answer = await api.call("POST", "/api/v1/cases/join", {"code": code}, token=alice)
    assert answer.code == 409
    assert body(answer)["code"] == "PRECONDITION_FAILED"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id_number", "12345"),
        ("phone", "555-1234"),
        ("licence_class", "Z9"),
        ("vehicle_type", "spaceship"),
        ("plate", "<script>"),
    ],
)
async def test_bad_party_details_name_the_field(api: Api, field: str, value: str) -> None:
    case_id, alice, _ = await _open_case_with_both_parties(api)
    answer = await api.call(
        "POST", f"/api/v1/cases/{case_id}/details", party_details(**{field: value}), token=alice
    )
    assert answer.code == 422
    assert body(answer)["details"]["field"] == field
    stored = await api.runtime.db["cases"].find_one({"_id": case_id})
    assert stored is not None
    assert stored["parties"]["A"]["details"] is None


async def test_statement_with_unknown_manoeuvre_is_refused(api: Api) -> None:
    case_id, alice, _ = await _open_case_with_both_parties(api)
    bad = statement()
    bad["own_vehicle"]["manoeuvre"] = "teleporting"
    answer = await api.call("POST", f"/api/v1/cases/{case_id}/statement", bad, token=alice)
    assert answer.code == 422
    assert body(answer)["details"]["field"] == "own_vehicle.manoeuvre"


async def test_unknown_path_and_method_are_problem_documents(api: Api) -> None:
    missing = await api.call("GET", "/api/v1/nothing-here")
    assert missing.code == 404
    assert body(missing)["code"] == "NOT_FOUND"
    wrong_method = await api.call("DELETE", "/api/v1/cases")
    assert wrong_method.code == 405
    assert body(wrong_method)["code"] == "METHOD_NOT_ALLOWED"


def _past() -> Any:
    from datetime import UTC, datetime, timedelta

    return datetime.now(UTC) - timedelta(minutes=1)
