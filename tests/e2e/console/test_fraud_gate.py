"""The fraud gate over HTTP: a case whose photo is an exact copy of another case's photo
cannot reach agreement without a police reviewer, whenever the copy is uploaded."""

from __future__ import annotations

from typing import Any

import pytest

from tests.builders import new_case, party_details
from tests.e2e.conftest import body
from tests.e2e.console.conftest import Browserless, Console, text
from tests.e2e.test_liability_flow import BOB, _rear_end
from tests.e2e.test_photo_upload import photo, upload

pytestmark = pytest.mark.e2e


async def _case(console: Console, jpeg: bytes) -> tuple[str, str, str]:
    """A rear-end case both drivers describe alike, with one photo."""
    alice, bob = await console.sign_in(), await console.sign_in()
    case_id = body(await console.call("POST", "/api/v1/cases", new_case(), token=alice))["id"]
    code = body(await console.call("POST", f"/api/v1/cases/{case_id}/invitation",
                                   token=alice))["code"]  # fmt: skip
    await console.call("POST", "/api/v1/cases/join", {"code": code}, token=bob)
    a, b = _rear_end()
    for token, details, said in ((alice, party_details(), a), (bob, party_details(**BOB), b)):
        await console.call("POST", f"/api/v1/cases/{case_id}/details", details, token=token)
        await console.call("POST", f"/api/v1/cases/{case_id}/statement", said, token=token)
    uploaded = await upload(console, alice, case_id, jpeg)
    assert uploaded.code in (200, 201), uploaded.body
    return case_id, alice, bob


async def _sign(console: Console, case_id: str, token: str) -> Any:
    await console.call("POST", f"/api/v1/cases/{case_id}/accept", token=token)
    issued = await console.call("POST", f"/api/v1/cases/{case_id}/signature-request",
                                token=token)  # fmt: skip
    ticket = body(issued)
    return await console.call("POST", f"/api/v1/cases/{case_id}/sign", {
        "confirmation": ticket["confirmation"], "terms_sha256": ticket["terms_sha256"]},
        token=token)  # fmt: skip


async def test_a_copied_photo_sends_the_case_to_a_reviewer_at_proposal(console: Console) -> None:
    reused = photo(71)
    original, _, _ = await _case(console, reused)
    copy, alice, _ = await _case(console, reused)  # the very same bytes
    honest, honest_alice, _ = await _case(console, photo(72))

    proposed = body(await console.call("POST", f"/api/v1/cases/{copy}/proposal", token=alice))
    assert proposed["status"] == "police_review"
    fair = body(await console.call("POST", f"/api/v1/cases/{honest}/proposal",
                                   token=honest_alice))  # fmt: skip
    assert fair["status"] == "liability_proposed"

    refused = await console.call("POST", f"/api/v1/cases/{copy}/accept", token=alice)
    assert refused.code >= 400

    reviewer = Browserless(console.base_url)
    await reviewer.login("reviewer.ns")
    page = text(await reviewer.request("GET", f"/console/cases/{copy}"))
    assert "照片与其他案件完全相同" in page
    assert f'href="/console/cases/{original}"' in page


async def test_a_copy_uploaded_after_the_proposal_stops_the_signature(console: Console) -> None:
    reused = photo(81)
    await _case(console, reused)
    case_id, alice, bob = await _case(console, photo(82))
    proposed = body(await console.call("POST", f"/api/v1/cases/{case_id}/proposal", token=alice))
    assert proposed["status"] == "liability_proposed"
    signed = await _sign(console, case_id, alice)
    assert signed.code == 200, signed.body

    late = await upload(console, bob, case_id, reused, slot="side_front")
    assert late.code in (200, 201), late.body
    refused = await _sign(console, case_id, bob)
    assert refused.code == 409, refused.body
    assert body(refused)["details"]["reason"] == "photo_reused"
    stored = body(await console.call("GET", f"/api/v1/cases/{case_id}", token=alice))
    assert stored["status"] == "police_review"
