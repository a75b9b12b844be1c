"""API benchmark: latency (p50/p95) of the insight summaries and of a large CSV report, in process.

Seeding (not timed), as `dev/seed.py` does: an admin member of the benchmarked organisation with a
confirmed TOTP secret and an identity bound to a local OIDC issuer's subject; then a session opened
through `POST /api/v1/session`. Timed: `GET /api/v1/insights/{family}` and
`GET /api/v1/reports/{id}?format=csv`, each called through the app's own function
(`function_app.app.get_functions()` → `get_user_function()`) with a `func.HttpRequest`: authentication,
session, role check, store reads and serialisation, without the host's HTTP layer.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import azure.functions as func
import pyotp

from dev.oidc import start_issuer
from dev.oidc.issuer import DEFAULT_AUDIENCE
from dev.seed import ensure_mfa_keys
from shared.identity import totp
from shared.identity.tokens import identity_key
from shared.insights.models import Family
from shared.members import (
    PRIVACY_NOTICE_VERSION,
    Consent,
    IdentityBinding,
    IdentityIndex,
    Member,
    MemberRepository,
    new_member_id,
)
from shared.mfa import MfaRecord
from shared.services import Services, build_services, install_services
from shared.settings import get_settings
from shared.storage import OrgTable, TableName, TenantContext

SUMMARY_REPEATS, REPORT_REPEATS = 50, 10
PREFERRED_REPORT = "reclaimable-licences"  # person-level, the largest list at scale
EMAIL = "bench-admin@example.test"
Call = Callable[..., func.HttpResponse]


def _latency(call: Callable[[], object], repeats: int) -> dict[str, float]:
    call()  # warm-up: first-use imports and connections are not what a warm instance pays
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    quantiles = statistics.quantiles(samples, n=20, method="inclusive")
    return {"p50_ms": statistics.median(samples) * 1000, "p95_ms": quantiles[18] * 1000, "n": repeats}


@contextmanager
def _api(connection: str) -> Iterator[tuple[Services, Callable[..., str], dict[str, Call]]]:
    """Services on the bench's Azurite and a local issuer; the app's HTTP functions by route."""
    with tempfile.TemporaryDirectory() as folder, start_issuer() as issuer:
        settings = {
            "AzureWebJobsStorage": connection,
            "INSIGHT365_ENVIRONMENT": "development",
            "INSIGHT365_PAGE_TOKEN_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "INSIGHT365_SECRET_STORE": "local",
            "INSIGHT365_LOCAL_SECRETS_PATH": str(Path(folder) / "secrets.json"),
            "INSIGHT365_OIDC_ISSUER": issuer.issuer_url,
            "INSIGHT365_OIDC_AUDIENCE": DEFAULT_AUDIENCE,
            "INSIGHT365_LOG_LEVEL": "WARNING",  # at INFO the SDK logs every storage request's headers
        }
        os.environ.update(settings)  # the app validates the settings when it is imported
        get_settings.cache_clear()
        services = build_services(get_settings())
        previous = install_services(services)
        try:
            import function_app  # noqa: PLC0415 -- only once the settings are in place

            routes: dict[str, Call] = {}
            for function in function_app.app.get_functions():
                route = getattr(function.get_trigger(), "route", None)
                if route:
                    routes[route] = function.get_user_function()
            yield services, issuer.issuer.mint_access_token, routes
        finally:
            install_services(previous)


def _admin(services: Services, tenant: TenantContext, issuer_url: str) -> tuple[str, str]:
    """An admin member of `tenant` with a confirmed TOTP secret (as `dev.seed`): (subject, secret)."""
    box = ensure_mfa_keys(services, services.secrets)
    now, subject = services.clock(), secrets.token_hex(8)
    member = MemberRepository(services.storage, tenant, services.page_signer).create(
        Member(
            member_id=new_member_id(),
            first_name="Bench",
            last_name="Admin",
            email=EMAIL,
            role="admin",
            created_at=now,
            consents=[Consent(version=PRIVACY_NOTICE_VERSION, accepted_at=now)],
        )
    )
    binding = IdentityBinding(org_id=tenant.org_id, member_id=member.member_id)
    IdentityIndex(services.storage, services.page_signer).bind(identity_key(issuer_url, subject), binding)
    secret = totp.new_secret()
    sealed = box.encrypt(secret, org_id=tenant.org_id, member_id=member.member_id)
    OrgTable(services.storage, tenant, TableName.MFA, tokens=services.page_signer).upsert(
        member.member_id, {"document": MfaRecord(sealed_secret=sealed, confirmed=True).model_dump_json()}
    )
    return subject, secret


def _request(method: str, url: str, headers: dict[str, str], **kwargs: Any) -> func.HttpRequest:
    return func.HttpRequest(
        method,
        "http://localhost/api/" + url,
        headers={"x-forwarded-for": "203.0.113.7:5000", **headers},
        body=kwargs.pop("body", b""),
        **kwargs,
    )


def measure(connection: str, tenant: TenantContext, lists: dict[str, int]) -> dict[str, Any]:
    """`lists`: the published run's detail lists and their rows (the CSV report is the largest)."""
    with _api(connection) as (services, mint, routes):
        subject, secret = _admin(services, tenant, services.settings.oidc_issuer)
        bearer = {"authorization": f"Bearer {mint(subject=subject, email=EMAIL)}"}
        code = json.dumps({"code": pyotp.TOTP(secret).now()}).encode()
        opened = routes["v1/session"](
            _request("POST", "v1/session", bearer | {"content-type": "application/json"}, body=code)
        )
        if opened.status_code != 201:
            raise RuntimeError(f"session refused ({opened.status_code}): {opened.get_body()[:300]!r}")
        headers = bearer | {"x-session": json.loads(opened.get_body())["session_token"]}

        def get(route: str, url: str, **kwargs: Any) -> func.HttpResponse:
            response = routes[route](_request("GET", url, headers, **kwargs))
            if response.status_code != 200:
                raise RuntimeError(f"GET {url}: {response.status_code} {response.get_body()[:300]!r}")
            return response

        results: dict[str, Any] = {"level": "http", "summaries": {}}
        for family in Family:
            route = f"v1/insights/{family.value}"
            results["summaries"][family.value] = _latency(partial(get, route, route), SUMMARY_REPEATS)
        report = (
            PREFERRED_REPORT
            if lists.get(PREFERRED_REPORT, 0) >= 10_000
            else max(lists, key=lists.__getitem__)
        )

        def csv_report() -> func.HttpResponse:
            url = f"v1/reports/{report}"
            return get(
                "v1/reports/{report_id}", url, params={"format": "csv"}, route_params={"report_id": report}
            )

        body = csv_report().get_body()
        results["report"] = {
            "id": report,
            "rows": lists[report],
            "bytes": len(body),
            **_latency(csv_report, REPORT_REPEATS),
        }
        return results
