"""What reaches the logs: no database documents at any level, expected outages without traces."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from adapters.mongo.types import Database
from adapters.observability import configure_logging
from tests.e2e.conftest import Api, body

SECRET = "PDZA2026-SECRET-POLICY-7731"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level,
             {name: logging.getLogger(name).level for name in ("pymongo",)})  # fmt: skip
    yield
    root.handlers[:], root.level = saved[0], saved[1]
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


async def test_debug_logging_never_writes_database_documents(
    mongo_db: Database, capfd: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    configure_logging("DEBUG")
    await mongo_db["probe"].insert_one({"policy_number": SECRET})
    assert await mongo_db["probe"].find_one({"policy_number": SECRET}) is not None
    assert SECRET not in capfd.readouterr().err
    # The same at the driver's own DEBUG level does print it: the floor is what hides it.
    logging.getLogger("pymongo").setLevel(logging.DEBUG)
    await mongo_db["probe"].find_one({"policy_number": SECRET})
    assert SECRET in capfd.readouterr().err


async def test_wechat_busy_is_a_warning_without_a_traceback(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    api.wechat.fail_next(-1, times=10)
    try:
        with caplog.at_level(logging.INFO):
            answer = await api.call("POST", "/api/v1/auth/wechat", {"code": api.wechat.login()})
    finally:
        api.wechat.state.scripted_errors.clear()  # the simulator serves the whole session
    assert answer.code == 503
    assert body(answer)["code"] == "UPSTREAM_UNAVAILABLE"
    assert "Retry-After" in answer.headers
    assert not [r for r in caplog.records if "Uncaught exception" in r.getMessage()]
    assert not [r for r in caplog.records if r.exc_info and r.levelno >= logging.WARNING]
    failed = [r for r in caplog.records if r.getMessage() == "request failed"]
    assert failed
    assert all(r.levelno == logging.WARNING for r in failed)
