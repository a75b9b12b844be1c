"""Loopback Microsoft Graph simulator serving a synthetic tenant (endpoints: graph_api.md §10)."""

from dev.graph_sim.config import (
    AppRegistration,
    Endpoint,
    FaultKind,
    FaultRule,
    SimulatorConfig,
    ThrottleMode,
)
from dev.graph_sim.runner import RunningSimulator, start_simulator

__all__ = [
    "AppRegistration",
    "Endpoint",
    "FaultKind",
    "FaultRule",
    "RunningSimulator",
    "SimulatorConfig",
    "ThrottleMode",
    "start_simulator",
]
