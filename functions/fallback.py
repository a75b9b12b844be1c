"""Every address under /api that no endpoint claims answers 404 as a problem, with the usual headers."""

from __future__ import annotations

import azure.functions as func

from shared.http.adapter import Api

bp = func.Blueprint()
Api(bp).fallback()
