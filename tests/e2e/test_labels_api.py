"""GET /api/v1/labels: the one label catalogue, public, cacheable and revalidated by ETag."""

from __future__ import annotations

from settlement.domain import labels
from tests.e2e.conftest import Api, body


async def test_labels_are_public_and_match_the_domain_table(api: Api) -> None:
    response = await api.call("GET", "/api/v1/labels")  # no token: anyone may read them
    assert response.code == 200
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    document = body(response)
    assert document["langs"] == ["zh", "en"]
    assert document["labels"] == labels.all_labels()
    assert document["labels"]["manoeuvre"]["left_turn"] == {"zh": "左转", "en": "Turning left"}
    assert document["labels"]["case_status"]["police_review"]["zh"] == "待交警认定"


async def test_an_unchanged_catalogue_revalidates_to_304(api: Api) -> None:
    first = await api.call("GET", "/api/v1/labels")
    etag = first.headers["ETag"]
    assert etag.startswith('"')
    assert len(etag) > 10
    again = await api.call("GET", "/api/v1/labels", headers={"If-None-Match": etag})
    assert again.code == 304
    assert again.body == b""
    stale = await api.call("GET", "/api/v1/labels", headers={"If-None-Match": '"stale"'})
    assert stale.code == 200
    assert stale.headers["ETag"] == etag
