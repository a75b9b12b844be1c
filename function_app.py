"""The Insight365 Function App: creates the app and registers one blueprint per area. Nothing else."""

from __future__ import annotations

import azure.functions as func

from functions import (
    api_assurance,
    api_audit,
    api_insights,
    api_insights_savings,
    api_integrations,
    api_invitations,
    api_me,
    api_members,
    api_metadata,
    api_openapi,
    api_operations,
    api_organisation,
    api_platform,
    api_reports,
    api_runs,
    api_session,
    api_support,
    backup,
    compute,
    fallback,
    health,
    ingest,
    lifecycle,
    operations,
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
    api_invitations.bp,
    api_integrations.bp,
    api_insights.bp,
    api_insights_savings.bp,
    api_assurance.bp,
    api_reports.bp,
    api_runs.bp,
    api_metadata.bp,
    api_audit.bp,
    api_organisation.bp,
    api_support.bp,
    api_platform.bp,
    api_operations.bp,
    api_openapi.bp,
):
    app.register_functions(blueprint)
# Background work: the daily refresh fan-out, collection, compute, retention, deletion and table backup.
for blueprint in (schedules.bp, ingest.bp, compute.bp, lifecycle.bp, backup.bp, operations.bp):
    app.register_functions(blueprint)
# Last, so that every other route wins over its catch-all template.
app.register_functions(fallback.bp)
