"""Settings come from SETTLEMENT_* variables; bad values stop start-up naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from settlement.config import Settings
from settlement.errors import ConfigurationError


def test_defaults_run_on_one_machine() -> None:
    settings = Settings.from_env({})
    assert settings.http_port == 8000
    assert settings.grpc_port == 50051
    assert settings.embedded_mongo
    assert settings.photo_store == "local"
    assert settings.uploads_dir == Path("uploads")


def test_values_are_read_and_parsed() -> None:
    settings = Settings.from_env(
        {
            "SETTLEMENT_HTTP_PORT": "9000",
            "SETTLEMENT_MONGO_URI": "mongodb://db.example:27017/?replicaSet=rs0",
            "SETTLEMENT_PHOTO_STORE": "s3",
            "SETTLEMENT_S3_BUCKET": "evidence",
            "SETTLEMENT_DEBUG": "yes",
            "SETTLEMENT_WECHAT_API_BASE": "http://127.0.0.1:9999/",
        }
    )
    assert settings.http_port == 9000
    assert not settings.embedded_mongo
    assert settings.photo_store == "s3"
    assert settings.debug is True
    assert settings.wechat_api_base == "http://127.0.0.1:9999"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SETTLEMENT_HTTP_PORT", "eighty"),
        ("SETTLEMENT_GRPC_PORT", "70000"),
        ("SETTLEMENT_MONGO_URI", "postgres://x"),
        ("SETTLEMENT_PHOTO_STORE", "ftp"),
        ("SETTLEMENT_MAX_PHOTO_BYTES", "-1"),
        ("SETTLEMENT_DEBUG", "maybe"),
        ("SETTLEMENT_LOG_LEVEL", "LOUD"),
        ("SETTLEMENT_WECHAT_API_BASE", "api.weixin.qq.com"),
        ("SETTLEMENT_GRPC_DEADLINE_S", "0"),
    ],
)
def test_invalid_value_names_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=variable):
        Settings.from_env({variable: value})


def test_s3_store_needs_a_bucket() -> None:
    with pytest.raises(ConfigurationError, match="SETTLEMENT_S3_BUCKET"):
        Settings.from_env({"SETTLEMENT_PHOTO_STORE": "s3"})


def test_secrets_are_not_in_the_repr() -> None:
    settings = Settings.from_env({"SETTLEMENT_WECHAT_APP_SECRET": "very-secret-value"})
    assert "very-secret-value" not in repr(settings)
