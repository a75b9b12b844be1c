"""Loopback Microsoft Graph simulator serving a synthetic tenant (endpoints: graph_api.md §10)."""

from dev.graph_sim.config import Endpoint, FaultKind, FaultRule, SimulatorConfig, ThrottleMode
from dev.graph_sim.runner import RunningSimulator, start_simulator

__all__ = [
    "Endpoint",
    "FaultKind",
    "FaultRule",
    "RunningSimulator",
    "SimulatorConfig",
    "ThrottleMode",
    "start_simulator",
]
