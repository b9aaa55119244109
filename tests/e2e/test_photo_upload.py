"""Photo upload over real HTTP: streamed multipart, verification, idempotency, limits."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPResponse
from tornado.iostream import IOStream

from tests.builders import new_case
from tests.e2e.conftest import Api, body
from tests.integration.photos.scenes import (
    exif_for,
    hostile_tiff,
    jpeg_bytes,
    jpeg_with_raw_exif,
    scene,
)

OCCURRED_AT = datetime.fromisoformat(new_case()["occurred_at"])
PLACE = (new_case()["location"]["latitude"], new_case()["location"]["longitude"])


def photo(seed: int = 1) -> bytes:
    exif = exif_for(taken_at=OCCURRED_AT + timedelta(minutes=3), gps=PLACE)
    return jpeg_bytes(scene(seed), exif=exif)


def multipart(
    fields: dict[str, str], file: bytes | None, content_type: str = "image/jpeg"
) -> tuple[bytes, str]:
    boundary = "----wxupload" + uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    if file is not None:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="tmp.jpg"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
            + file
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


async def upload(
    api: Api, token: str, case_id: str, data: bytes | None, **fields: str
) -> HTTPResponse:
    form = {"slot": "collision_point", "upload_id": uuid.uuid4().hex, **fields}
    payload, content_type = multipart(form, data)
    return await api.call(
        "POST",
        f"/api/v1/cases/{case_id}/photos",
        raw=payload,
        token=token,
        headers={"Content-Type": content_type},
    )


async def start_upload(
    api: Api, token: str, case_id: str, content_type: str, length: int
) -> IOStream:
    """A raw connection that has sent an upload's headers and none of its body."""
    stream = IOStream(__import__("socket").socket())
    await stream.connect(("127.0.0.1", api.servers.http_port))
    await stream.write(
        (
            f"POST /api/v1/cases/{case_id}/photos HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {length}\r\n\r\n"
        ).encode()
    )
    return stream


async def open_case(api: Api) -> tuple[str, str, dict[str, Any]]:
    token = await api.sign_in()
    case = body(await api.call("POST", "/api/v1/cases", new_case(), token=token))
    return token, case["id"], case


async def stored_files(api: Api) -> int:
    root = api.runtime.settings.uploads_dir
    return sum(1 for path in root.rglob("*") if path.is_file())


async def test_a_scene_photo_is_verified_stored_and_listed(api: Api) -> None:
    token, case_id, case = await open_case(api)
    answer = await upload(
        api, token, case_id, photo(), nonce=case["capture_nonce"],
        latitude=str(PLACE[0]), longitude=str(PLACE[1]),
    )  # fmt: skip
    assert answer.code == 201, answer.body
    result = body(answer)
    assert result["photo"]["verdict"] in ("pass", "flag")
    assert result["photo"]["slot"] == "collision_point"
    assert "collision_point" not in result["checklist"]["missing_for_case"]
    assert "side_front" in result["checklist"]["missing_for_case"]
    assert await stored_files(api) == 3  # original, thumbnail, privacy copy

    listed = body(await api.call("GET", f"/api/v1/cases/{case_id}/photos", token=token))
    assert [p["id"] for p in listed["photos"]] == [result["photo"]["id"]]
    thumb = await api.call(
        "GET", f"/api/v1/cases/{case_id}/photos/{result['photo']['id']}/thumbnail", token=token
    )
    assert thumb.code == 200
    assert thumb.headers["Content-Type"] == "image/jpeg"
    assert thumb.body[:3] == b"\xff\xd8\xff"


async def test_same_upload_id_again_returns_the_first_result_and_stores_nothing(api: Api) -> None:
    token, case_id, _ = await open_case(api)
    first = await upload(api, token, case_id, photo(), upload_id="retry-1")
    files = await stored_files(api)
    second = await upload(api, token, case_id, photo(), upload_id="retry-1")
    assert first.code == second.code == 201
    assert body(first)["photo"]["id"] == body(second)["photo"]["id"]
    assert await stored_files(api) == files
    assert await api.runtime.db["photos"].count_documents({}) == 1


async def test_idempotency_header_cannot_swallow_a_different_photo(api: Api) -> None:
    token, case_id, _ = await open_case(api)
    for seed, slot in ((21, "side_front"), (22, "side_rear")):
        payload, content_type = multipart({"slot": slot, "upload_id": f"u{seed}"}, photo(seed))
        answer = await api.call(
            "POST", f"/api/v1/cases/{case_id}/photos", raw=payload, token=token,
            headers={"Content-Type": content_type, "Idempotency-Key": "same-header-key"},
        )  # fmt: skip
        assert answer.code == 201, answer.body
        assert body(answer)["photo"]["slot"] == slot
    assert await api.runtime.db["photos"].count_documents({}) == 2


async def test_photo_reused_in_another_case_is_flagged(api: Api) -> None:
    token, first_case, _ = await open_case(api)
    await upload(api, token, first_case, photo(7))
    other_token, second_case, _ = await open_case(api)
    answer = await upload(api, other_token, second_case, photo(7))
    assert answer.code == 201
    result = body(answer)["photo"]
    assert result["verdict"] == "flag"
    assert result["reused_elsewhere"] is True
    # The driver is told about the reuse but not which other case it was.
    assert first_case not in answer.body.decode()


@pytest.mark.parametrize(
    ("data", "content_type", "status", "code"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml", 415,
         "UNSUPPORTED_MEDIA_TYPE"),
        (b"", "image/jpeg", None, None),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "image/jpeg", 422, "CORRUPT_IMAGE"),
        (jpeg_with_raw_exif(hostile_tiff()), "image/jpeg", 422, "MALFORMED_EXIF"),
    ],
)  # fmt: skip
async def test_bad_files_are_refused_and_nothing_is_stored(
    api: Api, data: bytes, content_type: str, status: int | None, code: str | None
) -> None:
    token, case_id, _ = await open_case(api)
    form = {"slot": "side_front", "upload_id": uuid.uuid4().hex}
    payload, multipart_type = multipart(form, data, content_type)
    answer = await api.call(
        "POST", f"/api/v1/cases/{case_id}/photos", raw=payload, token=token,
        headers={"Content-Type": multipart_type},
    )  # fmt: skip
    assert 400 <= answer.code < 500, answer.body
    if status is not None:
        assert answer.code == status
        assert body(answer)["code"] == code
    assert await stored_files(api) == 0
    assert await api.runtime.db["photos"].count_documents({}) == 0


async def test_missing_file_field_or_bad_slot_names_the_field(api: Api) -> None:
    token, case_id, _ = await open_case(api)
    no_file = await upload(api, token, case_id, None)
    assert no_file.code == 422
    assert body(no_file)["details"]["field"] == "file"
    bad_slot = await upload(api, token, case_id, photo(), slot="selfie")
    assert bad_slot.code == 422
    assert body(bad_slot)["details"]["field"] == "slot"
    not_multipart = await api.call(
        "POST", f"/api/v1/cases/{case_id}/photos", raw=b"abc", token=token,
        headers={"Content-Type": "image/jpeg"},
    )  # fmt: skip
    assert not_multipart.code == 400
    assert body(not_multipart)["code"] == "MALFORMED_BODY"


async def test_someone_elses_case_is_404_and_stores_nothing(api: Api) -> None:
    _, case_id, _ = await open_case(api)
    mallory = await api.sign_in()
    answer = await upload(api, mallory, case_id, photo())
    assert answer.code == 404
    assert body(answer)["code"] == "CASE_NOT_FOUND"
    assert await stored_files(api) == 0
    listed = await api.call("GET", f"/api/v1/cases/{case_id}/photos", token=mallory)
    assert listed.code == 404


async def _raw_request(api: Api, head: str, body_bytes: bytes = b"") -> tuple[int, dict[str, Any]]:
    stream = IOStream(__import__("socket").socket())
    await stream.connect(("127.0.0.1", api.servers.http_port))
    await stream.write(head.encode() + body_bytes)
    status_line = await stream.read_until(b"\r\n")
    status = int(status_line.split()[1])
    headers = await stream.read_until(b"\r\n\r\n")
    length = 0
    for line in headers.decode().split("\r\n"):
        if line.lower().startswith("content-length:"):
            length = int(line.split(":")[1])
    payload = await stream.read_bytes(length) if length else b"{}"
    stream.close()
    return status, json.loads(payload)


async def test_declared_oversize_is_413_before_the_body_is_read(api: Api) -> None:
    token, case_id, _ = await open_case(api)
    declared = 30 * 1024 * 1024
    head = (
        f"POST /api/v1/cases/{case_id}/photos HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {token}\r\n"
        "Content-Type: multipart/form-data; boundary=x\r\n"
        f"Content-Length: {declared}\r\n\r\n"
    )
    started = time.perf_counter()
    status, problem = await asyncio.wait_for(_raw_request(api, head), timeout=5)
    assert status == 413
    assert problem["code"] == "PAYLOAD_TOO_LARGE"
    assert time.perf_counter() - started < 1.0


async def test_unauthenticated_upload_is_refused_before_the_body(api: Api) -> None:
    _, case_id, _ = await open_case(api)
    head = (
        f"POST /api/v1/cases/{case_id}/photos HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 5000000\r\n\r\n"
    )
    status, problem = await asyncio.wait_for(_raw_request(api, head), timeout=5)
    assert status == 401
    assert problem["code"] == "NOT_AUTHENTICATED"


async def test_oversized_streamed_body_is_413_and_nothing_is_stored(api: Api) -> None:
    token, case_id, _ = await open_case(api)
    limit = api.runtime.settings.max_photo_bytes
    big = b"\xff\xd8\xff\xe0" + b"\x00" * (limit + 10)
    answer = await upload(api, token, case_id, big)
    assert answer.code in (400, 413)
    assert await stored_files(api) == 0


async def test_health_stays_fast_with_twenty_slow_uploads_in_flight(api: Api) -> None:
    token, case_id, _ = await open_case(api)
    data = photo(3)
    payload, content_type = multipart({"slot": "other", "upload_id": "slow"}, data)

    async def slow_upload(index: int) -> None:
        stream = await start_upload(api, token, case_id, content_type, len(payload))
        # Trickle the body in small pieces, like a weak mobile network.
        for offset in range(0, min(len(payload), 40 * 1024), 2048):
            await stream.write(payload[offset : offset + 2048])
            await asyncio.sleep(0.05)
        stream.close()

    uploads = [asyncio.create_task(slow_upload(i)) for i in range(20)]
    await asyncio.sleep(0.2)
    client = AsyncHTTPClient()
    latencies = []
    for _ in range(60):
        started = time.perf_counter()
        response = await client.fetch(f"{api.base_url}/healthz")
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.code == 200
        await asyncio.sleep(0.01)
    await asyncio.gather(*uploads, return_exceptions=True)
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    assert p99 < 50, f"p99 {p99:.1f} ms, median {statistics.median(latencies):.1f} ms"
