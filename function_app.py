"""The Insight365 Function App: creates the app and registers one blueprint per area. Nothing else."""

from __future__ import annotations

import azure.functions as func

from functions import fallback, health
from shared.settings import get_settings
from shared.telemetry import configure_logging

# Refuse to start with an unknown or unsafe configuration: the host reports the error at indexing.
configure_logging(get_settings().log_level)

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
app.register_functions(health.bp)
app.register_functions(fallback.bp)
