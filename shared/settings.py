"""Application settings, read once from the environment (Function App settings or local.settings.json).

Every key is listed with a safe local default and its meaning in `local.settings.sample.json`.
Unknown `INSIGHT365_*` keys and unsafe combinations (development settings while running in Azure)
fail at start-up with a message that names the key, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

from shared.roles import PlatformRole

ENV_PREFIX = "INSIGHT365_"
# Set by the App Service platform on every Azure Functions instance, never locally.
AZURE_MARKERS = ("WEBSITE_INSTANCE_ID", "WEBSITE_SITE_NAME")
MAX_BODY_CEILING = 1024 * 1024
# The public key in local.settings.sample.json; fine on a laptop, never in production.
SAMPLE_PAGE_TOKEN_KEY = "bG9jYWwtZGV2ZWxvcG1lbnQtb25seS1wYWdlLXRva2VuLWtleS0wMDA="  # noqa: S105 - public on purpose


class PlatformOperator(BaseModel):
    """One configured member of the platform: the identity provider's `sub` and their platform role."""

    model_config = ConfigDict(frozen=True)

    subject: str = Field(min_length=1, max_length=256)
    role: PlatformRole

    @field_validator("subject")
    @classmethod
    def _not_an_email(cls, subject: str) -> str:
        if "@" in subject or subject != subject.strip() or not subject.isprintable():
            raise ValueError("an operator is named by the token's `sub` claim, never an email")
        return subject


class SettingsError(RuntimeError):
    """The configuration is invalid or unsafe; the message says which key and why."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, case_sensitive=False, frozen=True)

    environment: Literal["development", "production"] = "production"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, le=MAX_BODY_CEILING)
    cors_origins: Annotated[tuple[str, ...], NoDecode] = ()

    # Signs the opaque continuation tokens of list endpoints (base64, at least 32 bytes). In Azure it is a
    # Key Vault reference; the sample's value is public and refused in production.
    page_token_key: str

    # The identity provider (Entra External ID, Azure AD B2C or the local dev issuer).
    oidc_issuer: str = ""
    oidc_discovery_url: str = ""
    oidc_audience: str = ""
    oidc_required_scope: str = "access_as_user"
    oidc_leeway_seconds: int = Field(default=60, ge=0, le=60)
    oidc_email_verified_by_issuer: bool = False
    # Names of the AES-256 keys (in the secret store) that encrypt TOTP secrets; the first one encrypts.
    mfa_key_ids: Annotated[tuple[str, ...], NoDecode] = ("mfa-key-1",)
    # Insight365's own staff: `<sub>:<role>` entries, comma-separated, role `operator` or
    # `security_officer`. A person is the issuer's `sub` claim, never an email (which a user may change).
    platform_operators: Annotated[tuple[PlatformOperator, ...], NoDecode] = ()

    graph_base_url: str = "https://graph.microsoft.com/v1.0"
    graph_authority: str = "https://login.microsoftonline.com"
    refresh_schedule: str = "0 0 2 * * *"
    retention_schedule: str = "0 30 3 * * *"
    # Hourly 01:00-05:00 UTC: the first firing takes the day's table backup, later ones finish it if needed.
    backup_schedule: str = "0 0 1-5 * * *"
    collection_time_budget_seconds: int = Field(default=600, ge=1, le=1500)
    # Microsoft Graph's shared quotas multiplied by this in the fleet-wide governor (shared.graph.quota):
    # 1 against Graph; larger only against the local simulator, which does not throttle by default.
    graph_quota_scale: float = Field(default=1.0, gt=0, le=10_000)
    secret_store: Literal["keyvault", "local"] = "keyvault"  # noqa: S105 - a kind, not a secret
    key_vault_url: str = ""
    local_secrets_path: str = ".local/secrets.json"

    # The operations plane (shared.operations): where notifications go, and the capacity limits the
    # monitoring job checks (infra/modules/alerts.bicep holds the same numbers for Azure Monitor).
    notification_channel: Literal["azure_monitor", "smtp"] = "azure_monitor"
    smtp_server: str = Field(default="127.0.0.1:8025", pattern=r"^[^:\s]+:[0-9]{1,5}$")
    operations_email: str = Field(default="operations@insight365.invalid", pattern=r"^[^@\s]+@[^@\s]+$")
    # Customers' notices (a support request to an organisation's super admins): Azure Communication
    # Services Email with the app's managed identity in Azure (infra/modules/email.bicep), smtp locally.
    customer_email_channel: Literal["acs", "smtp"] = "acs"
    acs_endpoint: str = ""  # https://<communication service>.uk.communication.azure.com
    acs_sender: str = Field(default="", pattern=r"^$|^[^@\s]+@[^@\s]+$")  # DoNotReply@<managed domain>
    freshness_objective_hours: int = Field(default=36, ge=1, le=168)
    queue_length_limit: int = Field(default=1000, ge=1, le=10_000_000)
    queue_age_limit_minutes: int = Field(default=60, ge=1, le=10_080)
    storage_limit_gib_per_organisation: float = Field(default=50.0, gt=0, le=5_000)
    api_error_rate_limit_percent: float = Field(default=5.0, gt=0, le=100)

    # The Functions host's own storage setting doubles as the application's storage connection.
    storage_connection: str = Field(default="", validation_alias="AzureWebJobsStorage")
    storage_account: str = Field(default="", validation_alias="AzureWebJobsStorage__accountName")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # `load_settings` reads the environment itself, so that it can refuse unknown keys.
        return (init_settings,)

    @field_validator("cors_origins", "mfa_key_ids", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(item.strip().rstrip("/") for item in value.split(",") if item.strip())
        return value

    @field_validator("platform_operators", mode="before")
    @classmethod
    def _operator_entries(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        entries = [item.strip() for item in value.split(",") if item.strip()]
        # The role is after the last colon, so a subject may hold colons itself.
        return tuple(
            {"subject": entry.rpartition(":")[0].strip(), "role": entry.rpartition(":")[2].strip()}
            for entry in entries
        )

    @field_validator("platform_operators")
    @classmethod
    def _each_operator_once(cls, operators: tuple[PlatformOperator, ...]) -> tuple[PlatformOperator, ...]:
        subjects = [operator.subject for operator in operators]
        if len(set(subjects)) != len(subjects):
            raise ValueError("an operator subject is listed twice")
        return operators

    @field_validator("page_token_key")
    @classmethod
    def _key_is_long_enough(cls, value: str) -> str:
        try:
            decoded = base64.b64decode(value, validate=True)
        except ValueError:
            raise ValueError("must be base64") from None
        if len(decoded) < 32:
            raise ValueError("must decode to at least 32 bytes")
        return value

    @field_validator(
        "graph_base_url", "graph_authority", "key_vault_url", "oidc_issuer", "oidc_discovery_url"
    )
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        # msgraph-sdk builds "{base}/users"; a trailing slash would send "//users".
        return value.rstrip("/")

    @field_validator("cors_origins")
    @classmethod
    def _origins_are_exact(cls, origins: tuple[str, ...]) -> tuple[str, ...]:
        for origin in origins:
            if "*" in origin or not origin.startswith(("https://", "http://")):
                raise ValueError(f"CORS origin {origin!r} must be an exact http(s) origin, never a wildcard")
        return origins


def _unknown_keys(environ: Mapping[str, str]) -> list[str]:
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    return sorted(key for key in environ if key.upper().startswith(ENV_PREFIX) and key.upper() not in known)


def _unsafe_reasons(settings: Settings, running_in_azure: bool) -> list[str]:
    reasons: list[str] = []
    if running_in_azure and settings.environment != "production":
        reasons.append("INSIGHT365_ENVIRONMENT must be 'production' when running in Azure")
    if not settings.storage_connection and not settings.storage_account:
        reasons.append("set AzureWebJobsStorage (connection) or AzureWebJobsStorage__accountName (identity)")
    if settings.environment == "production":
        reasons += _production_reasons(settings)
    return reasons


def _production_reasons(settings: Settings) -> list[str]:
    reasons: list[str] = []
    storage = settings.storage_connection
    if "UseDevelopmentStorage=true" in storage or "devstoreaccount1" in storage:
        reasons.append("AzureWebJobsStorage points at the local emulator")
    if "http://" in storage or "DefaultEndpointsProtocol=http;" in storage:
        reasons.append("AzureWebJobsStorage uses plain http endpoints")
    reasons += [
        f"CORS origin {origin!r} is not https"
        for origin in settings.cors_origins
        if not origin.startswith("https://")
    ]
    if not settings.oidc_issuer or not settings.oidc_audience:
        reasons.append("INSIGHT365_OIDC_ISSUER and INSIGHT365_OIDC_AUDIENCE are required")
    urls = {
        "INSIGHT365_OIDC_ISSUER": settings.oidc_issuer,
        "INSIGHT365_OIDC_DISCOVERY_URL": settings.oidc_discovery_url,
        "INSIGHT365_GRAPH_BASE_URL": settings.graph_base_url,
        "INSIGHT365_GRAPH_AUTHORITY": settings.graph_authority,
        "INSIGHT365_KEY_VAULT_URL": settings.key_vault_url,
        "INSIGHT365_ACS_ENDPOINT": settings.acs_endpoint,
    }
    reasons += [
        f"{name} must be an https URL" for name, url in urls.items() if url and not url.startswith("https://")
    ]
    if settings.graph_quota_scale != 1:
        reasons.append("INSIGHT365_GRAPH_QUOTA_SCALE must be 1 against Microsoft Graph")
    if settings.notification_channel == "smtp":
        reasons.append("INSIGHT365_NOTIFICATION_CHANNEL=smtp is for development only; use azure_monitor")
    if settings.customer_email_channel == "smtp":
        reasons.append("INSIGHT365_CUSTOMER_EMAIL_CHANNEL=smtp is for development only; use acs")
    elif not (settings.acs_endpoint and settings.acs_sender):
        reasons.append(
            "INSIGHT365_CUSTOMER_EMAIL_CHANNEL=acs needs INSIGHT365_ACS_ENDPOINT and INSIGHT365_ACS_SENDER"
        )
    if settings.page_token_key == SAMPLE_PAGE_TOKEN_KEY:
        reasons.append("INSIGHT365_PAGE_TOKEN_KEY is the public sample key")
    if settings.secret_store == "local":  # noqa: S105 - a kind, not a secret
        reasons.append("INSIGHT365_SECRET_STORE=local is for development only; use keyvault")
    elif not settings.key_vault_url:
        reasons.append("INSIGHT365_KEY_VAULT_URL is required with the keyvault secret store")
    return reasons


def _setting_name(location: tuple[int | str, ...]) -> str:
    name = str(location[0]) if location else "?"
    return name if name.startswith("AzureWebJobs") else ENV_PREFIX + name.upper()


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and check the settings; raise `SettingsError` naming every problem at once."""
    env = os.environ if environ is None else environ
    unknown = _unknown_keys(env)
    if unknown:
        raise SettingsError(f"unknown setting(s): {', '.join(unknown)} (see local.settings.sample.json)")
    values = {
        key[len(ENV_PREFIX) :].lower(): value
        for key, value in env.items()
        if key.upper().startswith(ENV_PREFIX)
    }
    values |= {
        key: env[key] for key in ("AzureWebJobsStorage", "AzureWebJobsStorage__accountName") if key in env
    }
    try:
        settings = Settings.model_validate(values)
    except ValidationError as error:
        problems = "; ".join(f"{_setting_name(item['loc'])}: {item['msg']}" for item in error.errors())
        raise SettingsError(f"invalid setting(s): {problems}") from None
    reasons = _unsafe_reasons(settings, running_in_azure=any(env.get(marker) for marker in AZURE_MARKERS))
    if reasons:
        raise SettingsError("unsafe configuration: " + "; ".join(reasons))
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, loaded once."""
    return load_settings()
