"""Who gets which photo: the other party privacy copies only, identity documents nobody else."""

from __future__ import annotations

import io

from PIL import Image

from tests.e2e.conftest import Api, body
from tests.e2e.test_bad_input import _open_case_with_both_parties
from tests.e2e.test_photo_upload import photo, upload


def _path(case_id: str, photo_id: str, variant: str) -> str:
    return f"/api/v1/cases/{case_id}/photos/{photo_id}/{variant}"


async def test_the_other_party_gets_privacy_copies_and_never_identity_documents(
    api: Api,
) -> None:
    case_id, alice, bob = await _open_case_with_both_parties(api)
    scene_jpeg = photo(5)
    scene_id = body(await upload(api, alice, case_id, scene_jpeg))["photo"]["id"]
    licence = await upload(api, alice, case_id, photo(6), slot="licence")
    assert licence.code == 201, licence.body
    licence_id = body(licence)["photo"]["id"]

    # The owner: everything, the original byte for byte.
    own = await api.call("GET", _path(case_id, scene_id, "original"), token=alice)
    assert own.code == 200
    assert own.body == scene_jpeg
    assert (await api.call("GET", _path(case_id, licence_id, "privacy"), token=alice)).code == 200
    listed_a = {p["id"] for p in body(await api.call("GET", f"/api/v1/cases/{case_id}/photos",
                                                          token=alice))["photos"]}  # fmt: skip
    assert listed_a == {scene_id, licence_id}

    # The other party: no original (its EXIF names the owner's phone and place) ...
    original = await api.call("GET", _path(case_id, scene_id, "original"), token=bob)
    assert original.code == 403
    assert body(original)["code"] == "NOT_PERMITTED"
    # ... a privacy copy without any EXIF ...
    privacy = await api.call("GET", _path(case_id, scene_id, "privacy"), token=bob)
    assert privacy.code == 200
    assert privacy.body != scene_jpeg
    assert not Image.open(io.BytesIO(privacy.body)).getexif()
    assert (await api.call("GET", _path(case_id, scene_id, "thumbnail"), token=bob)).code == 200
    # ... and the licence not at all, in no form, not even in the list.
    for variant in ("original", "privacy", "thumbnail"):
        refused = await api.call("GET", _path(case_id, licence_id, variant), token=bob)
        assert refused.code == 404, variant
        assert body(refused)["code"] == "PHOTO_NOT_FOUND"
    listed_b = {p["id"] for p in body(await api.call("GET", f"/api/v1/cases/{case_id}/photos",
                                                          token=bob))["photos"]}  # fmt: skip
    assert listed_b == {scene_id}
