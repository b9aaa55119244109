"""Settings come from SETTLEMENT_* variables; bad values stop start-up naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from settlement.config import Settings, partner_registry
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
        ("SETTLEMENT_AUDIT_WITNESS", "tape"),
        ("SETTLEMENT_AUDIT_WITNESS_ENDPOINT_URL", "s3.local"),
    ],
)
def test_invalid_value_names_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=variable):
        Settings.from_env({variable: value})


def test_s3_store_needs_a_bucket() -> None:
    with pytest.raises(ConfigurationError, match="SETTLEMENT_S3_BUCKET"):
        Settings.from_env({"SETTLEMENT_PHOTO_STORE": "s3"})


def test_s3_witness_needs_a_bucket_and_reads_its_place() -> None:
    with pytest.raises(ConfigurationError, match="SETTLEMENT_AUDIT_WITNESS_BUCKET"):
        Settings.from_env({"SETTLEMENT_AUDIT_WITNESS": "s3"})
    settings = Settings.from_env({"SETTLEMENT_AUDIT_WITNESS": "s3",
                                  "SETTLEMENT_AUDIT_WITNESS_BUCKET": "heads",
                                  "SETTLEMENT_AUDIT_WITNESS_PREFIX": "prod/audit/",
                                  "SETTLEMENT_AUDIT_WITNESS_ENDPOINT_URL": "https://s3.example"})
    assert (settings.audit_witness, settings.audit_witness_bucket, settings.audit_witness_prefix,
            settings.audit_witness_endpoint_url) == ("s3", "heads", "prod/audit/",
                                                     "https://s3.example")  # fmt: skip
    assert Settings.from_env({}).audit_witness == "file"


def test_secrets_are_not_in_the_repr() -> None:
    settings = Settings.from_env({"SETTLEMENT_WECHAT_APP_SECRET": "very-secret-value"})
    assert "very-secret-value" not in repr(settings)


def test_a_partner_without_tls_refuses_to_start_unless_explicitly_insecure() -> None:
    plain = {"SETTLEMENT_INSURER_ENDPOINTS": "PICC=ins.example:443",
             "SETTLEMENT_MEDIATION_ENDPOINT": "court.example:443"}  # fmt: skip
    with pytest.raises(ConfigurationError, match="PICC has no TLS"):
        Settings.from_env(plain)
    assert Settings.from_env({**plain, "SETTLEMENT_PARTNER_INSECURE": "true"}).partner_insecure
    # One CA, certificate and key for every partner ('*'), a token each.
    tls = {**plain, "SETTLEMENT_PARTNER_CA": "*=/etc/p/ca.pem",
           "SETTLEMENT_PARTNER_CERT": "*=/etc/p/ours.pem",
           "SETTLEMENT_PARTNER_KEY": "*=/etc/p/ours.key,COURT=/etc/p/court.key",
           "SETTLEMENT_PARTNER_TOKENS": "PICC=t-picc,COURT=t-court"}  # fmt: skip
    registry = partner_registry(Settings.from_env(tls))
    assert set(registry) == {"PICC", "COURT"}
    assert registry["COURT"].key == Path("/etc/p/court.key")
    assert (registry["PICC"].ca, registry["PICC"].token) == (Path("/etc/p/ca.pem"), "t-picc")
    assert "t-picc" not in repr(registry)
    assert "t-court" not in repr(Settings.from_env(tls))
    # Half a TLS set is a mistake, not plaintext.
    with pytest.raises(ConfigurationError, match="go together"):
        Settings.from_env({**plain, "SETTLEMENT_PARTNER_CA": "PICC=/ca.pem",
                           "SETTLEMENT_PARTNER_INSECURE": "true"})  # fmt: skip
