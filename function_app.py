"""The Insight365 Function App: creates the app and registers one blueprint per area. Nothing else."""

from __future__ import annotations

import azure.functions as func

from functions import (
    api_audit,
    api_insights,
    api_integrations,
    api_me,
    api_members,
    api_metadata,
    api_openapi,
    api_organisation,
    api_reports,
    api_runs,
    api_session,
    compute,
    fallback,
    health,
    ingest,
    lifecycle,
    schedules,
)
from shared.settings import get_settings
from shared.telemetry import configure_logging

# Refuse to start with an unknown or unsafe configuration: the host reports the error at indexing.
configure_logging(get_settings().log_level)

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
app.register_functions(health.bp)
for blueprint in (
    api_session.bp,
    api_me.bp,
    api_members.bp,
    api_integrations.bp,
    api_insights.bp,
    api_reports.bp,
    api_runs.bp,
    api_metadata.bp,
    api_audit.bp,
    api_organisation.bp,
    api_openapi.bp,
):
    app.register_functions(blueprint)
# Background work: the daily refresh fan-out, collection, compute, retention and deletion.
for blueprint in (schedules.bp, ingest.bp, compute.bp, lifecycle.bp):
    app.register_functions(blueprint)
# Last, so that every other route wins over its catch-all template.
app.register_functions(fallback.bp)
