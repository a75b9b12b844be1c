"""The collection blueprints alone, as function_app.py registers them (the e2e tests' app folder)."""

from __future__ import annotations

import azure.functions as func

from functions import ingest, schedules

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
app.register_functions(schedules.bp)
app.register_functions(ingest.bp)
