"""Hostile input over real sockets: every one a clear 4xx, nothing stored, nothing leaked."""

from __future__ import annotations

import asyncio
import gc
import json
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from tornado.iostream import IOStream

from adapters.http.api_photos import PhotosHandler
from tests.builders import new_case, statement
from tests.e2e.conftest import Api, body
from tests.e2e.test_photo_upload import (
    OCCURRED_AT,
    PLACE,
    multipart,
    open_case,
    photo,
    start_upload,
    upload,
)
from tests.integration.photos.scenes import exif_for, jpeg_bytes, png_claiming, scene


async def _count(api: Api, collection: str) -> int:
    return int(await api.runtime.db[collection].count_documents({}))


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


async def _raw(api: Api, head: bytes, body_bytes: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    """One request on a raw socket; the answer's status, headers and body."""
    stream = IOStream(__import__("socket").socket())
    await stream.connect(("127.0.0.1", api.servers.http_port))
    await stream.write(head + body_bytes)
    raw_headers = await stream.read_until(b"\r\n\r\n")
    lines = raw_headers.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:] if x)}
    length = int(headers.get("content-length", "0"))
    payload = await stream.read_bytes(length) if length else b""
    stream.close()
    return status, headers, payload


@pytest.mark.parametrize(
    ("label", "raw"),
    [
        ("nested 990 deep", b'{"code": ' + _nested(990) + b"}"),
        ("nested objects", b'{"a":' * 500 + b"1" + b"}" * 500),
        ("lone surrogate in a value", b'{"code": "abc\\ud800"}'),
        ("lone surrogate in a key", b'{"\\udfff": "abc"}'),
        ("low surrogate first", b'{"code": "\\udc00\\ud800"}'),
    ],
)
async def test_public_sign_in_refuses_deep_json_and_lone_surrogates(
    api: Api, label: str, raw: bytes
) -> None:
    answer = await api.call("POST", "/api/v1/auth/wechat", raw=raw)
    assert answer.code == 400, (label, answer.body)
    assert body(answer)["code"] == "MALFORMED_BODY"
    assert await _count(api, "sessions") == 0


async def test_deep_json_and_surrogates_on_driver_routes_store_nothing(api: Api) -> None:
    token = await api.sign_in()
    case = new_case()
    bad_bodies = [
        json.dumps({**case, "description": "x"})[:-1].encode() + b', "z": ' + _nested(990) + b"}",
        json.dumps(case).replace('"address": "', '"address": "\\ud834').encode(),
        json.dumps(case).replace('"weather"', '"\\udd1e"', 1).encode(),
    ]
    for raw in bad_bodies:
        answer = await api.call("POST", "/api/v1/cases", raw=raw, token=token)
        assert answer.code == 400, answer.body
        assert body(answer)["code"] == "MALFORMED_BODY"
    assert await _count(api, "cases") == 0
    # A properly paired surrogate (an emoji as \\ud83d\\ude97) is ordinary text.
    emoji = json.dumps({**case, "description": "🚗 rear-ended"}, ensure_ascii=True).encode()
    assert (await api.call("POST", "/api/v1/cases", raw=emoji, token=token)).code == 201


@pytest.mark.parametrize(
    "occurred_at",
    ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59-23:59", "1899-05-01T08:00:00+08:00",
     "2026-05-01 08:30:00+08:00", "2026-05-01T08:30:00+99:00"],
)  # fmt: skip
async def test_implausible_dates_are_refused_at_the_field(api: Api, occurred_at: str) -> None:
    token = await api.sign_in()
    answer = await api.call("POST", "/api/v1/cases", new_case(occurred_at=occurred_at), token=token)
    assert answer.code == 422, answer.body
    assert body(answer)["details"]["field"] == "occurred_at"
    assert await _count(api, "cases") == 0


async def test_photos_to_a_case_with_a_year_one_time_are_judged_not_crashed(api: Api) -> None:
    # Data stored before times were range-checked must not make uploads fail.
    token, case_id, _ = await open_case(api)
    year_one = OCCURRED_AT.replace(year=1)
    await api.runtime.db["cases"].update_one(
        {"_id": case_id}, {"$set": {"scene.occurred_at": year_one}}
    )
    answer = await upload(api, token, case_id, photo(1))
    assert answer.code == 201, answer.body
    assert "TIME_IMPLAUSIBLE" in [r["code"] for r in body(answer)["photo"]["reasons"]]


async def test_implausible_client_capture_time_is_refused_at_the_field(api: Api) -> None:
    token, case_id, _ = await open_case(api)
    answer = await upload(api, token, case_id, photo(1), captured_at="0001-01-01T00:00:00+00:00")
    assert answer.code == 422
    assert body(answer)["details"]["field"] == "captured_at"
    assert await _count(api, "photos") == 0


@pytest.mark.parametrize(
    ("offset", "taken_year"), [("+99:00", 2026), ("+08:75", 2026), ("garbage", 2026),
                               ("+08:00", 1)],
)  # fmt: skip
async def test_malformed_exif_times_are_flagged_not_500(
    api: Api, offset: str, taken_year: int
) -> None:
    token, case_id, _ = await open_case(api)
    exif = exif_for(taken_at=OCCURRED_AT + timedelta(minutes=3), gps=PLACE)
    ifd = exif.get_ifd(0x8769)
    ifd[0x9011] = offset
    if taken_year != OCCURRED_AT.year:
        ifd[0x9003] = "0001:01:01 00:00:00"
    answer = await upload(api, token, case_id, jpeg_bytes(scene(2), exif=exif))
    assert answer.code == 201, answer.body
    assert "EXIF_UNREADABLE" in [r["code"] for r in body(answer)["photo"]["reasons"]]


async def test_png_has_a_lower_pixel_budget_than_jpeg(api: Api) -> None:
    token, case_id, _ = await open_case(api)
    # 7000×7000 = 49 MP: under the JPEG budget (50 MP), over the PNG/WebP one (16 MP).
    settings = api.runtime.settings
    assert settings.max_image_pixels >= 7000 * 7000
    assert settings.max_png_webp_pixels < 7000 * 7000
    answer = await upload(api, token, case_id, png_claiming(7000, 7000))
    assert answer.code == 422
    problem = body(answer)
    assert problem["code"] == "IMAGE_TOO_LARGE"
    assert problem["details"]["max_pixels"] == settings.max_png_webp_pixels
    assert await _count(api, "photos") == 0


@pytest.mark.parametrize(
    ("path", "declared"),
    [("/api/v1/auth/wechat", 15 * 1024 * 1024), ("/api/v1/cases", 1024 * 1024),
     ("/api/v1/documents/" + "0" * 64 + "/verify", 15 * 1024 * 1024),
     ("/console/login", 1024 * 1024), ("/no/such/route", 15 * 1024 * 1024)],
)  # fmt: skip
async def test_declared_oversize_is_413_on_every_route_before_reading(
    api: Api, path: str, declared: int
) -> None:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {declared}\r\n\r\n"
    ).encode()
    started = time.perf_counter()
    # Only the headers are sent: an answer proves nothing of the body was waited for.
    status, _headers, payload = await asyncio.wait_for(_raw(api, head), timeout=5)
    assert status == 413
    assert json.loads(payload)["code"] == "PAYLOAD_TOO_LARGE"
    assert time.perf_counter() - started < 1.0


async def test_405_lists_the_allowed_methods(api: Api) -> None:
    token = await api.sign_in()
    cases = await api.call("DELETE", "/api/v1/cases", token=token)
    assert cases.code == 405
    assert sorted(cases.headers["Allow"].split(", ")) == ["GET", "POST"]
    sign_in = await api.call("GET", "/api/v1/auth/wechat")
    assert sign_in.code == 405
    assert sign_in.headers["Allow"] == "POST"
    assert body(sign_in)["code"] == "METHOD_NOT_ALLOWED"
    page = await api.call("PUT", "/console/login", raw=b"")
    assert page.code == 405
    assert sorted(page.headers["Allow"].split(", ")) == ["GET", "POST"]


async def test_null_is_refused_where_the_schema_forbids_it(api: Api) -> None:
    token, case_id, _ = await open_case(api)
    for field in ("other_vehicle", "location", "narrative"):
        bad: dict[str, Any] = {**statement(), field: None}
        answer = await api.call("POST", f"/api/v1/cases/{case_id}/statement", bad, token=token)
        assert answer.code == 422, (field, answer.body)
        assert body(answer)["details"]["field"] == field
    null_location = new_case(location={"latitude": None, "longitude": 1})
    answer = await api.call("POST", "/api/v1/cases", null_location, token=token)
    assert answer.code == 422
    assert await _count(api, "cases") == 1


def _pending_upload_requests() -> int:
    """Upload requests whose handler coroutine has not returned."""
    pending = 0
    for task in asyncio.all_tasks():
        frame = getattr(task.get_coro(), "cr_frame", None)
        handler = frame.f_locals.get("self") if frame is not None else None
        pending += isinstance(handler, PhotosHandler) and not task.done()
    return pending


async def test_aborted_upload_finishes_and_frees_its_temp_file(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    token, case_id, _ = await open_case(api)
    payload, content_type = multipart({"slot": "other", "upload_id": "aborted"}, b"\xff" * 400_000)
    for _ in range(3):
        stream = await start_upload(api, token, case_id, content_type, len(payload))
        await stream.write(payload[:200_000])
        deadline = time.monotonic() + 5
        while not any(spool.iterdir()) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert any(spool.iterdir()), "the upload never started spooling"
        stream.close()  # the phone went into a tunnel
    deadline = time.monotonic() + 5
    while (any(spool.iterdir()) or _pending_upload_requests()) and (
        time.monotonic() < deadline
    ):
        await asyncio.sleep(0.05)
    gc.collect()
    assert list(spool.iterdir()) == []
    assert _pending_upload_requests() == 0
    assert await _count(api, "photos") == 0
