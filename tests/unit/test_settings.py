import json
from pathlib import Path

import pytest

from shared.settings import Settings, SettingsError, load_settings

SAMPLE = Path(__file__).resolve().parents[2] / "local.settings.sample.json"
DEV = {"AzureWebJobsStorage": "UseDevelopmentStorage=true", "INSIGHT365_ENVIRONMENT": "development"}
PROD = {"AzureWebJobsStorage__accountName": "insight365prod"}


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
        ({"AzureWebJobsStorage": "UseDevelopmentStorage=true"}, "local emulator"),
        ({"AzureWebJobsStorage": "DefaultEndpointsProtocol=http;AccountName=a"}, "plain http"),
        ({**PROD, "INSIGHT365_CORS_ORIGINS": "http://spa.example"}, "not https"),
        ({"INSIGHT365_ENVIRONMENT": "development"}, "AzureWebJobsStorage"),
    ],
)
def test_unknown_invalid_and_unsafe_settings_fail_with_the_key_named(
    environ: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(environ)
    assert message in str(raised.value)


def test_cors_origins_are_split_and_normalised() -> None:
    settings = load_settings(
        {**DEV, "INSIGHT365_CORS_ORIGINS": " https://a.example/ , http://localhost:5173"}
    )
    assert settings.cors_origins == ("https://a.example", "http://localhost:5173")
