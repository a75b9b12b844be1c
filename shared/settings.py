"""Application settings, read once from the environment (Function App settings or local.settings.json).

Every key is listed with a safe local default and its meaning in `local.settings.sample.json`.
Unknown `INSIGHT365_*` keys and unsafe combinations (development settings while running in Azure)
fail at start-up with a message that names the key, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

ENV_PREFIX = "INSIGHT365_"
# Set by the App Service platform on every Azure Functions instance, never locally.
AZURE_MARKERS = ("WEBSITE_INSTANCE_ID", "WEBSITE_SITE_NAME")
MAX_BODY_CEILING = 1024 * 1024


class SettingsError(RuntimeError):
    """The configuration is invalid or unsafe; the message says which key and why."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, case_sensitive=False, frozen=True)

    environment: Literal["development", "production"] = "production"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, le=MAX_BODY_CEILING)
    cors_origins: Annotated[tuple[str, ...], NoDecode] = ()

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

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(origin.strip().rstrip("/") for origin in value.split(",") if origin.strip())
        return value

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
    if settings.environment == "production":
        if "UseDevelopmentStorage=true" in settings.storage_connection or "devstoreaccount1" in (
            settings.storage_connection
        ):
            reasons.append("AzureWebJobsStorage points at the local emulator")
        if "http://" in settings.storage_connection or "DefaultEndpointsProtocol=http;" in (
            settings.storage_connection
        ):
            reasons.append("AzureWebJobsStorage uses plain http endpoints")
        reasons += [
            f"CORS origin {origin!r} is not https"
            for origin in settings.cors_origins
            if not origin.startswith("https://")
        ]
    if not settings.storage_connection and not settings.storage_account:
        reasons.append("set AzureWebJobsStorage (connection) or AzureWebJobsStorage__accountName (identity)")
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
