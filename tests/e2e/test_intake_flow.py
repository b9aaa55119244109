"""The two-party intake flow over real HTTP, with real MongoDB and the WeChat simulator."""

from __future__ import annotations

import asyncio
from pathlib import Path

from adapters.simulators.wechat import WeChatSimulator
from tests.builders import new_case, party_details, statement
from tests.e2e.conftest import Api, body, running_api


async def test_two_parties_open_join_and_give_their_accounts(api: Api) -> None:
    alice = await api.sign_in("openid-alice")
    bob = await api.sign_in("openid-bob")

    created = await api.call("POST", "/api/v1/cases", new_case(), token=alice)
    assert created.code == 201, created.body
    case = body(created)
    assert case["status"] == "awaiting_party"
    assert created.headers["Location"] == f"/api/v1/cases/{case['id']}"
    case_id = case["id"]

    invited = await api.call("POST", f"/api/v1/cases/{case_id}/invitation", token=alice)
    assert invited.code == 201
    code = body(invited)["code"]
    assert code in body(invited)["qr_payload"]

    joined = await api.call("POST", "/api/v1/cases/join", {"code": code}, token=bob)
    assert joined.code == 200, joined.body
    assert body(joined)["your_party"] == "B"
    assert body(joined)["status"] == "collecting"

    for token, details, account in (
        (alice, party_details(), statement("straight", "front")),
        (
            bob,
            party_details(
                name="李四", plate="粤B67890", phone="13900139000", id_number="440305198505054321"
            ),
            statement("stopped_in_queue", "rear"),
        ),
    ):
        answer = await api.call("POST", f"/api/v1/cases/{case_id}/details", details, token=token)
        assert answer.code == 200, answer.body
        answer = await api.call("POST", f"/api/v1/cases/{case_id}/statement", account, token=token)
        assert answer.code == 200, answer.body

    final = body(await api.call("GET", f"/api/v1/cases/{case_id}", token=alice))
    assert final["status"] == "statements_complete"
    assert final["statements_complete"] is True
    assert final["missing"] == []
    # Alice sees her own details in full and Bob's masked.
    assert final["parties"]["A"]["details"]["id_number"] == "44030519900101123X"
    assert final["parties"]["B"]["details"]["id_number"] == "440305********4321"
    assert final["parties"]["B"]["details"]["phone"] == "139****9000"
    assert final["parties"]["B"]["details"]["name"] == "李*"

    listed = body(await api.call("GET", "/api/v1/cases", token=bob))
    assert [c["id"] for c in listed["cases"]] == [case_id]


async def test_concurrent_updates_by_both_parties_lose_no_write(api: Api) -> None:
    alice = await api.sign_in()
    bob = await api.sign_in()
    case_id = body(await api.call("POST", "/api/v1/cases", new_case(), token=alice))["id"]
    code = body(await api.call("POST", f"/api/v1/cases/{case_id}/invitation", token=alice))["code"]
    await api.call("POST", "/api/v1/cases/join", {"code": code}, token=bob)

    answers = await asyncio.gather(
        *[
            api.call("POST", f"/api/v1/cases/{case_id}/details", party_details(), token=alice),
            api.call("POST", f"/api/v1/cases/{case_id}/details", party_details(), token=bob),
            api.call("POST", f"/api/v1/cases/{case_id}/statement", statement(), token=alice),
            api.call("POST", f"/api/v1/cases/{case_id}/statement", statement(), token=bob),
        ]
    )
    assert [a.code for a in answers] == [200, 200, 200, 200]
    final = body(await api.call("GET", f"/api/v1/cases/{case_id}", token=alice))
    assert final["statements_complete"] is True
    assert final["version"] == 7  # created, invited, joined, and four independent writes


async def test_withdrawn_case_refuses_further_statements(api: Api) -> None:
    alice = await api.sign_in()
    case_id = body(await api.call("POST", "/api/v1/cases", new_case(), token=alice))["id"]
    withdrawn = await api.call("POST", f"/api/v1/cases/{case_id}/withdraw", token=alice)
    assert body(withdrawn)["status"] == "withdrawn"
    again = await api.call("POST", f"/api/v1/cases/{case_id}/withdraw", token=alice)
    assert again.code == 409
    assert body(again)["code"] == "ILLEGAL_TRANSITION"
    late = await api.call("POST", f"/api/v1/cases/{case_id}/statement", statement(), token=alice)
    assert late.code == 409
    assert body(late)["code"] == "ILLEGAL_TRANSITION"


async def test_case_view_shows_changes_made_here_at_once_and_others_within_the_cache_age(
    api: Api,
) -> None:
    from adapters.mongo.cases import MongoCaseRepository

    alice, bob = await api.sign_in(), await api.sign_in()
    case_id = body(await api.call("POST", "/api/v1/cases", new_case(), token=alice))["id"]
    path = f"/api/v1/cases/{case_id}"
    assert body(await api.call("GET", path, token=alice))["version"] == 1  # now cached
    # A stranger is refused on a cached read too (membership is checked on every view).
    assert (await api.call("GET", path, token=bob)).code == 404
    # A change through this process shows in the very next view.
    answer = await api.call("POST", f"{path}/details", party_details(), token=alice)
    assert answer.code == 200, answer.body
    assert body(await api.call("GET", path, token=alice))["version"] == 2
    # A change written elsewhere (another process) shows within the cache's age.
    elsewhere = MongoCaseRepository(api.runtime.db)
    await elsewhere.save(await elsewhere.get(case_id))
    await asyncio.sleep(api.runtime.settings.case_view_cache_ms / 1000)
    assert body(await api.call("GET", path, token=alice))["version"] == 3


async def test_cases_opened_together_each_commit_with_their_own_audit_entry(api: Api) -> None:
    tokens = [await api.sign_in() for _ in range(5)]
    answers = await asyncio.gather(
        *[
            api.call("POST", "/api/v1/cases", new_case(), token=tokens[n % 5],
                     headers={"X-Request-Id": f"open-{n}"})
            for n in range(30)
        ]
    )  # fmt: skip
    assert [a.code for a in answers] == [201] * 30
    opened = {body(a)["id"]: f"open-{n}" for n, a in enumerate(answers)}
    entries = api.runtime.db["audit_log"].find({"action": "case.open"})
    recorded = {e["case_id"]: e["request_id"] async for e in entries}
    # One entry per case, carrying the request that opened it (not a neighbour's).
    assert recorded == opened


async def test_concurrent_case_views_share_queries_and_each_gets_its_own_case(
    mongo_uri: str, wechat: WeChatSimulator, tmp_path: Path
) -> None:
    # No view cache: every view reads the database, concurrent ones in one query.
    async with running_api(mongo_uri, wechat, tmp_path, case_view_cache_ms=0) as api:
        owners = [await api.sign_in() for _ in range(8)]
        ids = [body(await api.call("POST", "/api/v1/cases", new_case(), token=t))["id"]
               for t in owners]  # fmt: skip
        views = await asyncio.gather(
            *[api.call("GET", f"/api/v1/cases/{i}", token=t)
              for t, i in zip(owners, ids, strict=True)],
            api.call("GET", "/api/v1/cases/C000000000000000", token=owners[0]),
            api.call("GET", f"/api/v1/cases/{ids[1]}", token=owners[0]),  # not theirs
        )
        assert [body(v)["id"] for v in views[:8]] == ids
        assert [v.code for v in views[8:]] == [404, 404]
