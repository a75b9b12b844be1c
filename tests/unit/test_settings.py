import json
import re
from pathlib import Path

import pytest

from shared.settings import SAMPLE_PAGE_TOKEN_KEY, Settings, SettingsError, load_settings

SAMPLE = Path(__file__).resolve().parents[2] / "local.settings.sample.json"
KEY = "cHJvZHVjdGlvbi10ZXN0LWtleS0wMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NQ=="
DEV = {
    "AzureWebJobsStorage": "UseDevelopmentStorage=true",
    "INSIGHT365_ENVIRONMENT": "development",
    "INSIGHT365_PAGE_TOKEN_KEY": KEY,
}
PROD = {
    "AzureWebJobsStorage__accountName": "insight365prod",
    "INSIGHT365_PAGE_TOKEN_KEY": KEY,
    "INSIGHT365_KEY_VAULT_URL": "https://insight365.vault.azure.net",
    "INSIGHT365_OIDC_ISSUER": "https://login.insight365.example/tenant/v2.0",
    "INSIGHT365_OIDC_AUDIENCE": "api://insight365",
    "INSIGHT365_ACS_ENDPOINT": "https://acs-insight365.uk.communication.azure.com",
    "INSIGHT365_ACS_SENDER": "DoNotReply@0a1b2c3d.azurecomm.net",
}


def test_sample_settings_load_and_every_key_is_explained() -> None:
    sample = json.loads(SAMPLE.read_text())
    settings = load_settings(sample["Values"])
    assert settings.environment == "development"
    assert settings.max_body_bytes == 65536
    assert set(sample["Values"]) == set(sample["Meanings"])


def test_every_setting_is_in_the_sample() -> None:
    sample = json.loads(SAMPLE.read_text())["Values"]
    for name, field in Settings.model_fields.items():
        key = (
            field.validation_alias
            if isinstance(field.validation_alias, str)
            else f"INSIGHT365_{name.upper()}"
        )
        assert key in sample or key == "AzureWebJobsStorage__accountName", key


def test_production_defaults_are_safe() -> None:
    settings = load_settings(PROD)
    assert settings.environment == "production"
    assert settings.cors_origins == ()


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({**DEV, "INSIGHT365_MAX_BODY_BYTEZ": "1"}, "unknown setting(s): INSIGHT365_MAX_BODY_BYTEZ"),
        ({**DEV, "INSIGHT365_MAX_BODY_BYTES": "100"}, "INSIGHT365_MAX_BODY_BYTES"),
        ({**DEV, "INSIGHT365_MAX_BODY_BYTES": str(2 * 1024 * 1024)}, "INSIGHT365_MAX_BODY_BYTES"),
        ({**DEV, "INSIGHT365_ENVIRONMENT": "staging"}, "INSIGHT365_ENVIRONMENT"),
        ({**DEV, "INSIGHT365_CORS_ORIGINS": "*"}, "wildcard"),
        ({**DEV, "WEBSITE_INSTANCE_ID": "abc"}, "must be 'production' when running in Azure"),
        ({**PROD, "AzureWebJobsStorage": "UseDevelopmentStorage=true"}, "local emulator"),
        ({**PROD, "AzureWebJobsStorage": "DefaultEndpointsProtocol=http;AccountName=a"}, "plain http"),
        ({**PROD, "INSIGHT365_CORS_ORIGINS": "http://spa.example"}, "not https"),
        (
            {**PROD, "INSIGHT365_GRAPH_BASE_URL": "http://127.0.0.1:1/v1.0"},
            "INSIGHT365_GRAPH_BASE_URL must be an https",
        ),
        (
            {**PROD, "INSIGHT365_GRAPH_AUTHORITY": "http://127.0.0.1:1"},
            "INSIGHT365_GRAPH_AUTHORITY must be an https",
        ),
        ({**PROD, "INSIGHT365_PAGE_TOKEN_KEY": SAMPLE_PAGE_TOKEN_KEY}, "public sample key"),
        ({**PROD, "INSIGHT365_SECRET_STORE": "local"}, "development only"),
        ({**PROD, "INSIGHT365_KEY_VAULT_URL": ""}, "INSIGHT365_KEY_VAULT_URL is required"),
        ({**PROD, "INSIGHT365_CUSTOMER_EMAIL_CHANNEL": "smtp"}, "EMAIL_CHANNEL=smtp is for development"),
        ({**PROD, "INSIGHT365_ACS_SENDER": ""}, "needs INSIGHT365_ACS_ENDPOINT and INSIGHT365_ACS_SENDER"),
        ({**PROD, "INSIGHT365_ACS_ENDPOINT": "http://127.0.0.1:1"}, "ACS_ENDPOINT must be an https"),
        ({**DEV, "INSIGHT365_ACS_SENDER": "not an address"}, "INSIGHT365_ACS_SENDER"),
        (
            {**PROD, "INSIGHT365_OIDC_ISSUER": ""},
            "INSIGHT365_OIDC_ISSUER and INSIGHT365_OIDC_AUDIENCE are required",
        ),
        (
            {**PROD, "INSIGHT365_OIDC_ISSUER": "http://127.0.0.1:8090"},
            "INSIGHT365_OIDC_ISSUER must be an https",
        ),
        ({**DEV, "INSIGHT365_PAGE_TOKEN_KEY": "c2hvcnQ="}, "INSIGHT365_PAGE_TOKEN_KEY"),
        ({**DEV, "INSIGHT365_PAGE_TOKEN_KEY": "not base64!"}, "INSIGHT365_PAGE_TOKEN_KEY"),
        ({"AzureWebJobsStorage": "x", "INSIGHT365_ENVIRONMENT": "development"}, "INSIGHT365_PAGE_TOKEN_KEY"),
        ({"INSIGHT365_ENVIRONMENT": "development", "INSIGHT365_PAGE_TOKEN_KEY": KEY}, "AzureWebJobsStorage"),
    ],
)
def test_unknown_invalid_and_unsafe_settings_fail_with_the_key_named(
    environ: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(environ)
    assert message in str(raised.value)


def test_urls_lose_their_trailing_slash() -> None:
    settings = load_settings({**DEV, "INSIGHT365_GRAPH_BASE_URL": "http://127.0.0.1:9/v1.0/"})
    assert settings.graph_base_url == "http://127.0.0.1:9/v1.0"


def test_cors_origins_are_split_and_normalised() -> None:
    settings = load_settings(
        {**DEV, "INSIGHT365_CORS_ORIGINS": " https://a.example/ , http://localhost:5173"}
    )
    assert settings.cors_origins == ("https://a.example", "http://localhost:5173")


def test_the_deployment_sets_only_settings_the_app_knows() -> None:
    bicep = (SAMPLE.parent / "infra" / "modules" / "functionapp.bicep").read_text()
    deployed = set(re.findall(r"name: '(INSIGHT365_[A-Z0-9_]+)'", bicep))
    known = {f"INSIGHT365_{name.upper()}" for name in Settings.model_fields}
    assert deployed, "no INSIGHT365_* app settings found in functionapp.bicep"
    assert deployed <= known, sorted(deployed - known)
    # Timer schedules are %setting% references the host must resolve from real app settings.
    assert {"INSIGHT365_REFRESH_SCHEDULE", "INSIGHT365_RETENTION_SCHEDULE"} <= deployed
