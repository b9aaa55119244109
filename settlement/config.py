"""Settings: read once from ``SETTLEMENT_*`` environment variables into a frozen object.

This module is the only reader of the environment. Every invalid value stops start-up
with a :class:`ConfigurationError` that names the variable.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

from settlement.domain.jurisdiction import LocalAdmissions
from settlement.errors import ConfigurationError

T = TypeVar("T")

PhotoStoreKind = Literal["local", "s3"]
WitnessKind = Literal["file", "s3"]


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service can be configured with. Defaults run on one machine."""

    http_port: int = 8000  # SETTLEMENT_HTTP_PORT
    grpc_port: int = 50051  # SETTLEMENT_GRPC_PORT
    bind_address: str = "127.0.0.1"  # SETTLEMENT_BIND_ADDRESS
    mongo_uri: str | None = None  # SETTLEMENT_MONGO_URI; unset = embedded mongod
    mongo_db: str = "settlement"  # SETTLEMENT_MONGO_DB
    data_dir: Path = Path("data")  # SETTLEMENT_DATA_DIR
    photo_store: PhotoStoreKind = "local"  # SETTLEMENT_PHOTO_STORE
    uploads_dir: Path = Path("uploads")  # SETTLEMENT_UPLOADS_DIR
    s3_bucket: str | None = None  # SETTLEMENT_S3_BUCKET
    s3_endpoint_url: str | None = None  # SETTLEMENT_S3_ENDPOINT_URL
    wechat_app_id: str = "wx-dev-app"  # SETTLEMENT_WECHAT_APP_ID
    wechat_app_secret: str = field(default="", repr=False)  # SETTLEMENT_WECHAT_APP_SECRET
    wechat_api_base: str = "https://api.weixin.qq.com"  # SETTLEMENT_WECHAT_API_BASE
    token_ttl_s: int = 7200  # SETTLEMENT_TOKEN_TTL_S
    # How late a driver's case view may show a change made elsewhere (another process,
    # staff, an insurer); 0 reads the database on every view.
    case_view_cache_ms: int = 1000  # SETTLEMENT_CASE_VIEW_CACHE_MS
    join_code_ttl_s: int = 900  # SETTLEMENT_JOIN_CODE_TTL_S
    max_json_bytes: int = 64 * 1024  # SETTLEMENT_MAX_JSON_BYTES
    max_photo_bytes: int = 15 * 1024 * 1024  # SETTLEMENT_MAX_PHOTO_BYTES
    max_image_pixels: int = 50_000_000  # SETTLEMENT_MAX_IMAGE_PIXELS (JPEG)
    # PNG and WebP decode at full size (JPEG decodes scaled down), so their budget is lower.
    max_png_webp_pixels: int = 16_000_000  # SETTLEMENT_MAX_PNG_WEBP_PIXELS
    cookie_secret: str = field(default="", repr=False)  # SETTLEMENT_COOKIE_SECRET
    console_secure_cookies: bool = True  # SETTLEMENT_CONSOLE_SECURE_COOKIES; off for plain http
    grpc_deadline_s: float = 5.0  # SETTLEMENT_GRPC_DEADLINE_S
    partner_ca: str = ""  # SETTLEMENT_PARTNER_CA, "PICC=/ca.pem,COURT=/court-ca.pem,*=/ca.pem"
    partner_cert: str = ""  # SETTLEMENT_PARTNER_CERT, our client certificate per partner ("*=…")
    partner_key: str = ""  # SETTLEMENT_PARTNER_KEY, its private key per partner ("*=…")
    partner_tokens: str = field(default="", repr=False)  # SETTLEMENT_PARTNER_TOKENS, "PICC=…"
    partner_insecure: bool = False  # SETTLEMENT_PARTNER_INSECURE; plaintext, local trials only
    outbox_lease_s: float = 20.0  # SETTLEMENT_OUTBOX_LEASE_S; a dead sender's messages wait this
    outbox_backoff_base_s: float = 5.0  # SETTLEMENT_OUTBOX_BACKOFF_BASE_S; first retry within
    outbox_backoff_max_s: float = 6 * 3600.0  # SETTLEMENT_OUTBOX_BACKOFF_MAX_S
    outbox_max_attempts: int = 12  # SETTLEMENT_OUTBOX_MAX_ATTEMPTS; then a dead letter
    partner_reconnect_max_s: float = 1.0  # SETTLEMENT_PARTNER_RECONNECT_MAX_S
    reconcile_interval_s: float = 60.0  # SETTLEMENT_RECONCILE_INTERVAL_S
    mediation_poll_s: float = 60.0  # SETTLEMENT_MEDIATION_POLL_S
    insurer_endpoints: str = ""  # SETTLEMENT_INSURER_ENDPOINTS, "PICC=host:port,CPIC=host:port"
    mediation_endpoint: str = ""  # SETTLEMENT_MEDIATION_ENDPOINT, "host:port"
    grpc_tls_cert: Path | None = None  # SETTLEMENT_GRPC_TLS_CERT; PEM, enables the insurer API
    grpc_tls_key: Path | None = None  # SETTLEMENT_GRPC_TLS_KEY
    grpc_client_ca: Path | None = None  # SETTLEMENT_GRPC_CLIENT_CA; CA of insurer client certs
    insurer_tokens: str = field(default="", repr=False)  # SETTLEMENT_INSURER_TOKENS, "PICC=tok,…"
    openid_key: str = field(default="", repr=False)  # SETTLEMENT_OPENID_KEY; 32 bytes, base64
    wechat_templates: str = ""  # SETTLEMENT_WECHAT_TEMPLATES, "joined=tmpl,police_decided=tmpl"
    wechat_miniprogram_state: str = "formal"  # SETTLEMENT_WECHAT_MINIPROGRAM_STATE
    shutdown_grace_s: float = 5.0  # SETTLEMENT_SHUTDOWN_GRACE_S
    audit_signing_key: Path | None = None  # SETTLEMENT_AUDIT_SIGNING_KEY; unset: generated
    audit_witness_dir: Path | None = None  # SETTLEMENT_AUDIT_WITNESS_DIR; unset: under data_dir
    audit_witness: WitnessKind = "file"  # SETTLEMENT_AUDIT_WITNESS: "file" or "s3"
    audit_witness_bucket: str | None = None  # SETTLEMENT_AUDIT_WITNESS_BUCKET (for "s3")
    audit_witness_prefix: str = "audit-witness/"  # SETTLEMENT_AUDIT_WITNESS_PREFIX
    # SETTLEMENT_AUDIT_WITNESS_ENDPOINT_URL; unset: SETTLEMENT_S3_ENDPOINT_URL, then AWS's own.
    audit_witness_endpoint_url: str | None = None
    audit_seal_interval_ms: int = 250  # SETTLEMENT_AUDIT_SEAL_INTERVAL_MS
    audit_checkpoint_s: float = 30.0  # SETTLEMENT_AUDIT_CHECKPOINT_S
    # Client addresses: X-Forwarded-For is believed only from these (IPs or CIDRs, commas).
    trusted_proxies: str = ""  # SETTLEMENT_TRUSTED_PROXIES
    # Rate limits, "attempts/seconds" or "off"; each is counted in MongoDB across processes.
    limit_sign_in_per_ip: str = "30/60"  # SETTLEMENT_LIMIT_SIGN_IN_PER_IP
    limit_join_per_user: str = "10/600"  # SETTLEMENT_LIMIT_JOIN_PER_USER
    limit_join_per_ip: str = "30/600"  # SETTLEMENT_LIMIT_JOIN_PER_IP
    limit_verify_per_ip: str = "60/60"  # SETTLEMENT_LIMIT_VERIFY_PER_IP
    limit_console_login_per_ip: str = "30/300"  # SETTLEMENT_LIMIT_CONSOLE_LOGIN_PER_IP
    limit_console_login_per_account: str = "10/300"  # SETTLEMENT_LIMIT_CONSOLE_LOGIN_PER_ACCOUNT
    log_level: str = "INFO"  # SETTLEMENT_LOG_LEVEL
    debug: bool = False  # SETTLEMENT_DEBUG
    metrics_port: int = 9464  # SETTLEMENT_METRICS_PORT; the admin listener serving /metrics
    metrics_bind_address: str = "127.0.0.1"  # SETTLEMENT_METRICS_BIND_ADDRESS
    metrics_token: str = field(default="", repr=False)  # SETTLEMENT_METRICS_TOKEN; bearer
    # SETTLEMENT_ONLINE_POLICE_ADMITS, "440304=non_motor_party+more_than_two_vehicles,*=…":
    # where local rules let such cases go to online police determination instead of the scene.
    online_police_admits: LocalAdmissions = field(default_factory=LocalAdmissions)
    public_base_url: str = ""  # SETTLEMENT_PUBLIC_BASE_URL; in documents' QR codes
    authorities: str = ""  # SETTLEMENT_AUTHORITIES, "440305=深圳市公安局交通警察支队南山大队,…"

    @property
    def public_url(self) -> str:
        """Where people reach the service (documents' QR codes point here)."""
        return self.public_base_url or f"http://{self.bind_address}:{self.http_port}"

    @property
    def embedded_mongo(self) -> bool:
        return self.mongo_uri is None

    @property
    def audit_key_path(self) -> Path:
        """The checkpoint signing key; generated on first start when not configured."""
        return self.audit_signing_key or self.data_dir / "audit" / "signing-key.pem"

    @property
    def audit_witness_path(self) -> Path:
        """The directory signed checkpoints are written to."""
        return self.audit_witness_dir or self.data_dir / "audit" / "witness"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``environ`` (default: the process environment).

        Raises:
            ConfigurationError: a variable has a value that cannot be used.
        """
        env = os.environ if environ is None else environ
        reader = _Reader(env)
        defaults = cls()
        settings = cls(
            http_port=reader.get("HTTP_PORT", _port, defaults.http_port),
            grpc_port=reader.get("GRPC_PORT", _port, defaults.grpc_port),
            bind_address=reader.get("BIND_ADDRESS", _non_empty, defaults.bind_address),
            mongo_uri=reader.get("MONGO_URI", _mongo_uri, None),
            mongo_db=reader.get("MONGO_DB", _non_empty, defaults.mongo_db),
            data_dir=reader.get("DATA_DIR", Path, defaults.data_dir),
            photo_store=reader.get("PHOTO_STORE", _photo_store, defaults.photo_store),
            uploads_dir=reader.get("UPLOADS_DIR", Path, defaults.uploads_dir),
            s3_bucket=reader.get("S3_BUCKET", _non_empty, None),
            s3_endpoint_url=reader.get("S3_ENDPOINT_URL", _url, None),
            wechat_app_id=reader.get("WECHAT_APP_ID", _non_empty, defaults.wechat_app_id),
            wechat_app_secret=reader.get("WECHAT_APP_SECRET", str, ""),
            wechat_api_base=reader.get("WECHAT_API_BASE", _url, defaults.wechat_api_base),
            token_ttl_s=reader.get("TOKEN_TTL_S", _positive_int, defaults.token_ttl_s),
            case_view_cache_ms=reader.get(
                "CASE_VIEW_CACHE_MS", _non_negative_int, defaults.case_view_cache_ms
            ),
            join_code_ttl_s=reader.get("JOIN_CODE_TTL_S", _positive_int, defaults.join_code_ttl_s),
            max_json_bytes=reader.get("MAX_JSON_BYTES", _positive_int, defaults.max_json_bytes),
            max_photo_bytes=reader.get("MAX_PHOTO_BYTES", _positive_int, defaults.max_photo_bytes),
            max_image_pixels=reader.get(
                "MAX_IMAGE_PIXELS", _positive_int, defaults.max_image_pixels
            ),
            max_png_webp_pixels=reader.get(
                "MAX_PNG_WEBP_PIXELS", _positive_int, defaults.max_png_webp_pixels
            ),
            cookie_secret=reader.get("COOKIE_SECRET", str, ""),
            console_secure_cookies=reader.get("CONSOLE_SECURE_COOKIES", _boolean, True),
            grpc_deadline_s=reader.get("GRPC_DEADLINE_S", _positive_float, 5.0),
            partner_ca=reader.get("PARTNER_CA", _code_pairs, ""),
            partner_cert=reader.get("PARTNER_CERT", _code_pairs, ""),
            partner_key=reader.get("PARTNER_KEY", _code_pairs, ""),
            partner_tokens=reader.get("PARTNER_TOKENS", str, ""),
            partner_insecure=reader.get("PARTNER_INSECURE", _boolean, False),
            outbox_lease_s=reader.get("OUTBOX_LEASE_S", _positive_float, defaults.outbox_lease_s),
            outbox_backoff_base_s=reader.get(
                "OUTBOX_BACKOFF_BASE_S", _positive_float, defaults.outbox_backoff_base_s
            ),
            outbox_backoff_max_s=reader.get(
                "OUTBOX_BACKOFF_MAX_S", _positive_float, defaults.outbox_backoff_max_s
            ),
            outbox_max_attempts=reader.get(
                "OUTBOX_MAX_ATTEMPTS", _positive_int, defaults.outbox_max_attempts
            ),
            partner_reconnect_max_s=reader.get(
                "PARTNER_RECONNECT_MAX_S", _positive_float, defaults.partner_reconnect_max_s
            ),
            reconcile_interval_s=reader.get(
                "RECONCILE_INTERVAL_S", _positive_float, defaults.reconcile_interval_s
            ),
            mediation_poll_s=reader.get(
                "MEDIATION_POLL_S", _positive_float, defaults.mediation_poll_s
            ),
            insurer_endpoints=reader.get("INSURER_ENDPOINTS", _code_pairs, ""),
            mediation_endpoint=reader.get("MEDIATION_ENDPOINT", _non_empty, ""),
            grpc_tls_cert=reader.get("GRPC_TLS_CERT", Path, None),
            grpc_tls_key=reader.get("GRPC_TLS_KEY", Path, None),
            grpc_client_ca=reader.get("GRPC_CLIENT_CA", Path, None),
            insurer_tokens=reader.get("INSURER_TOKENS", str, ""),
            openid_key=reader.get("OPENID_KEY", str, ""),
            wechat_templates=reader.get("WECHAT_TEMPLATES", _templates, ""),
            wechat_miniprogram_state=reader.get(
                "WECHAT_MINIPROGRAM_STATE", _miniprogram_state, "formal"
            ),
            shutdown_grace_s=reader.get("SHUTDOWN_GRACE_S", _positive_float, 5.0),
            audit_signing_key=reader.get("AUDIT_SIGNING_KEY", Path, None),
            audit_witness_dir=reader.get("AUDIT_WITNESS_DIR", Path, None),
            audit_witness=reader.get("AUDIT_WITNESS", _witness_kind, defaults.audit_witness),
            audit_witness_bucket=reader.get("AUDIT_WITNESS_BUCKET", _non_empty, None),
            audit_witness_prefix=reader.get(
                "AUDIT_WITNESS_PREFIX", str, defaults.audit_witness_prefix
            ),
            audit_witness_endpoint_url=reader.get("AUDIT_WITNESS_ENDPOINT_URL", _url, None),
            audit_seal_interval_ms=reader.get(
                "AUDIT_SEAL_INTERVAL_MS", _positive_int, defaults.audit_seal_interval_ms
            ),
            audit_checkpoint_s=reader.get(
                "AUDIT_CHECKPOINT_S", _positive_float, defaults.audit_checkpoint_s
            ),
            trusted_proxies=reader.get("TRUSTED_PROXIES", _networks, ""),
            **{
                name: reader.get(name.upper(), _rate, getattr(defaults, name))
                for name in RATE_LIMIT_SETTINGS
            },
            log_level=reader.get("LOG_LEVEL", _log_level, defaults.log_level),
            debug=reader.get("DEBUG", _boolean, False),
            metrics_port=reader.get("METRICS_PORT", _port, defaults.metrics_port),
            metrics_bind_address=reader.get(
                "METRICS_BIND_ADDRESS", _non_empty, defaults.metrics_bind_address
            ),
            metrics_token=reader.get("METRICS_TOKEN", str, ""),
            online_police_admits=reader.get(
                "ONLINE_POLICE_ADMITS", LocalAdmissions.parse, defaults.online_police_admits
            ),
            public_base_url=reader.get("PUBLIC_BASE_URL", _url, ""),
            authorities=reader.get("AUTHORITIES", _authorities, ""),
        )
        for name, value in (("INSURER_TOKENS", settings.insurer_tokens),
                            ("PARTNER_TOKENS", settings.partner_tokens)):  # fmt: skip
            try:
                parse_code_pairs(value)
            except ValueError:
                # Checked here, not by the reader, so the secret never reaches the message.
                raise ConfigurationError(
                    f"SETTLEMENT_{name} must look like CODE=token,CODE=token"
                ) from None
        partner_registry(settings)  # a partner without TLS stops start-up here
        if settings.openid_key:
            try:
                parse_key(settings.openid_key)
            except ValueError:
                # Checked here, not by the reader, so the key never reaches the message.
                raise ConfigurationError(
                    "SETTLEMENT_OPENID_KEY must be 32 bytes as base64 or 64 hex digits"
                ) from None
        tls = (settings.grpc_tls_cert, settings.grpc_tls_key, settings.grpc_client_ca)
        if any(tls) and not all(tls):
            raise ConfigurationError(
                "SETTLEMENT_GRPC_TLS_CERT, _KEY and SETTLEMENT_GRPC_CLIENT_CA go together"
            )
        if settings.outbox_lease_s <= 2 * settings.grpc_deadline_s:
            raise ConfigurationError(
                "SETTLEMENT_OUTBOX_LEASE_S must exceed twice SETTLEMENT_GRPC_DEADLINE_S (a "
                "delivery must finish within its lease)"
            )
        if settings.audit_witness == "s3" and not settings.audit_witness_bucket:
            raise ConfigurationError(
                "SETTLEMENT_AUDIT_WITNESS_BUCKET must be set when SETTLEMENT_AUDIT_WITNESS=s3"
            )
        if settings.photo_store == "s3" and not settings.s3_bucket:
            raise ConfigurationError(
                "SETTLEMENT_S3_BUCKET must be set when SETTLEMENT_PHOTO_STORE=s3"
            )
        return settings


COURT = "COURT"
"""The court mediation platform's code in the partner registry."""


@dataclass(frozen=True, slots=True)
class PartnerSettings:
    """How we call one partner: where, the CA we trust for it, our client certificate and
    key, and the token we present. No CA means plaintext (allowed only when insecure)."""

    code: str
    target: str
    ca: Path | None
    cert: Path | None
    key: Path | None
    token: str = field(default="", repr=False)

    @property
    def tls(self) -> bool:
        return self.ca is not None


def partner_registry(settings: Settings) -> dict[str, PartnerSettings]:
    """Every configured partner (insurers by code, the court as ``COURT``).

    Raises:
        ConfigurationError: a partner has no complete TLS set (CA, certificate, key) and
            SETTLEMENT_PARTNER_INSECURE is not set; or a half-configured TLS set.
    """
    targets = parse_code_pairs(settings.insurer_endpoints)
    if settings.mediation_endpoint:
        targets[COURT] = settings.mediation_endpoint
    cas, certs, keys = (parse_code_pairs(v) for v in (settings.partner_ca,
                                                        settings.partner_cert,
                                                        settings.partner_key))  # fmt: skip
    tokens = parse_code_pairs(settings.partner_tokens)
    registry: dict[str, PartnerSettings] = {}
    for code, target in targets.items():
        ca, cert, key = (m.get(code) or m.get("*") for m in (cas, certs, keys))
        if any((ca, cert, key)) and not all((ca, cert, key)):
            raise ConfigurationError(
                f"partner {code}: SETTLEMENT_PARTNER_CA, _CERT and _KEY go together"
            )
        if ca is None and not settings.partner_insecure:
            raise ConfigurationError(
                f"partner {code} has no TLS: set SETTLEMENT_PARTNER_CA, SETTLEMENT_PARTNER_CERT "
                f"and SETTLEMENT_PARTNER_KEY for it (or '*'), or SETTLEMENT_PARTNER_INSECURE=true "
                "for a local trial"
            )
        registry[code] = PartnerSettings(
            code, target, Path(ca) if ca else None, Path(cert) if cert else None,
            Path(key) if key else None, tokens.get(code) or tokens.get("*", ""),
        )  # fmt: skip
    return registry


class _Reader:
    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env

    def get(self, name: str, parse: Callable[[str], T], default: T) -> T:
        variable = f"SETTLEMENT_{name}"
        raw = self._env.get(variable)
        if raw is None or raw == "":
            return default
        try:
            return parse(raw)
        except (ValueError, TypeError) as exc:
            raise ConfigurationError(f"{variable}={raw!r} is not valid: {exc}") from None


RATE_LIMIT_SETTINGS = (
    "limit_sign_in_per_ip", "limit_join_per_user", "limit_join_per_ip", "limit_verify_per_ip",
    "limit_console_login_per_ip", "limit_console_login_per_account",
)  # fmt: skip


def parse_rate(raw: str) -> tuple[int, int] | None:
    """``"30/60"`` -> ``(30, 60)`` (30 attempts per 60 s); ``"off"`` -> None.

    Raises:
        ValueError: neither form, or a number that is not positive.
    """
    if raw.strip().lower() == "off":
        return None
    attempts, sep, seconds = raw.partition("/")
    if not sep or int(attempts) <= 0 or int(seconds) <= 0:
        raise ValueError("must look like 30/60 (attempts per seconds) or be 'off'")
    return int(attempts), int(seconds)


def parse_networks(raw: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """``"10.0.0.0/8, 127.0.0.1"`` -> networks (a bare address is a one-address network).

    Raises:
        ValueError: an entry is not an address or a network.
    """
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in raw.split(",") if part.strip()
    )


def _rate(raw: str) -> str:
    parse_rate(raw)
    return raw.strip()


def _networks(raw: str) -> str:
    parse_networks(raw)
    return raw


def parse_code_pairs(raw: str) -> dict[str, str]:
    """``"PICC=a,CPIC=b"`` -> ``{"PICC": "a", "CPIC": "b"}`` (codes upper-cased).

    Raises:
        ValueError: an entry is not ``CODE=value`` or a code appears twice.
    """
    pairs: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in raw.split(","))):
        code, sep, value = entry.partition("=")
        code, value = code.strip().upper(), value.strip()
        if not sep or not code or not value:
            raise ValueError("entries must look like CODE=value, separated by commas")
        if code in pairs:
            raise ValueError(f"{code} is listed twice")
        pairs[code] = value
    return pairs


def parse_key(raw: str) -> bytes:
    """A 32-byte key written as base64 (standard or URL-safe) or as 64 hex digits.

    Raises:
        ValueError: not 32 bytes in either form.
    """
    text = raw.strip()
    if len(text) == 64 and all(c in "0123456789abcdefABCDEF" for c in text):
        return bytes.fromhex(text)
    try:
        key = base64.urlsafe_b64decode(text.replace("+", "-").replace("/", "_") + "==")
    except (ValueError, binascii.Error):
        raise ValueError("must be 32 bytes as base64 or 64 hex digits") from None
    if len(key) != 32:
        raise ValueError("must be 32 bytes as base64 or 64 hex digits")
    return key


NOTICE_NAMES = frozenset(
    {"joined", "proposal_ready", "police_decided", "retake_asked", "reconsidered",
     "claim_filed", "claim_assessed", "claim_paid", "mediation_outcome"}
)  # fmt: skip
"""The notices a subscription template can be configured for."""


def parse_templates(raw: str) -> dict[str, str]:
    """``"joined=T1,police_decided=T2"`` -> ``{"joined": "T1", "police_decided": "T2"}``.

    Raises:
        ValueError: malformed, or a name that is not a notice.
    """
    templates = {code.lower(): value for code, value in parse_code_pairs(raw).items()}
    unknown = sorted(set(templates) - NOTICE_NAMES)
    if unknown:
        raise ValueError(f"unknown notice {unknown[0]!r}; known: {', '.join(sorted(NOTICE_NAMES))}")
    return templates


def _templates(raw: str) -> str:
    parse_templates(raw)
    return raw


def _miniprogram_state(raw: str) -> str:
    if raw not in {"developer", "trial", "formal"}:
        raise ValueError("must be developer, trial or formal")
    return raw


def _code_pairs(raw: str) -> str:
    parse_code_pairs(raw)  # validate now; the value is parsed again where it is used
    return raw


def _port(raw: str) -> int:
    value = int(raw)
    if not 0 <= value <= 65535:
        raise ValueError("a port is a number from 0 to 65535")
    return value


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("must be a positive whole number")
    return value


def _non_negative_int(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("must be a whole number, 0 or more")
    return value


def _positive_float(raw: str) -> float:
    value = float(raw)
    if not value > 0:
        raise ValueError("must be a positive number")
    return value


def _non_empty(raw: str) -> str:
    if not raw.strip():
        raise ValueError("must not be blank")
    return raw.strip()


def _url(raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return raw.rstrip("/")


def parse_authorities(raw: str) -> dict[str, str]:
    """``"440305=深圳市公安局交通警察支队南山大队,…"`` -> ``{"440305": "深圳市…南山大队"}``.

    Raises:
        ValueError: an entry is not a 6-digit division code, ``=`` and a name.
    """
    table: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in raw.replace("，", ",").split(","))):
        code, sep, name = entry.partition("=")
        if not sep or not (code.strip().isdigit() and len(code.strip()) == 6) or not name.strip():
            raise ValueError("must look like 440305=深圳市公安局交通警察支队南山大队,…")
        table[code.strip()] = name.strip()[:60]
    return table


def _authorities(raw: str) -> str:
    parse_authorities(raw)
    return raw


def _mongo_uri(raw: str) -> str:
    if not raw.startswith(("mongodb://", "mongodb+srv://")):
        raise ValueError("must start with mongodb:// or mongodb+srv://")
    return raw


def _photo_store(raw: str) -> PhotoStoreKind:
    if raw == "local":
        return "local"
    if raw == "s3":
        return "s3"
    raise ValueError("must be 'local' or 's3'")


def _boolean(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError("must be true or false")


def _log_level(raw: str) -> str:
    level = raw.strip().upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
    return level


def _witness_kind(raw: str) -> WitnessKind:
    if raw == "file":
        return "file"
    if raw == "s3":
        return "s3"
    raise ValueError("must be 'file' or 's3'")
