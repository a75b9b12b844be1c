"""`python -m dev.graph_sim --accounts 2000 --seed 1 --port 0`: print the base URL, serve until Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
import threading
from datetime import date

from dev.graph_sim.config import SimulatorConfig, ThrottleMode
from dev.graph_sim.runner import start_simulator


def parse_args(argv: list[str] | None = None) -> SimulatorConfig:
    parser = argparse.ArgumentParser(prog="python -m dev.graph_sim", description=__doc__)
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--as-of", type=date.fromisoformat, default=None, help="tenant's today (YYYY-MM-DD)")
    parser.add_argument("--global-admins", type=int, default=4)
    parser.add_argument("--no-premium", action="store_true", help="tenant without Entra ID P1")
    parser.add_argument("--concealed", action="store_true", help="reports conceal user names")
    parser.add_argument(
        "--throttling", choices=[m.value for m in ThrottleMode], default=ThrottleMode.OFF.value
    )
    parser.add_argument("--client-secret", default=None)
    parser.add_argument(
        "--rightsizing-plants", action="store_true", help="plant mail-only and web-only suite holders"
    )
    args = parser.parse_args(argv)
    extra = {"as_of": args.as_of} if args.as_of else {}
    return SimulatorConfig(
        accounts=args.accounts,
        seed=args.seed,
        host=args.host,
        port=args.port,
        global_admins=args.global_admins,
        premium=not args.no_premium,
        concealed=args.concealed,
        throttling=ThrottleMode(args.throttling),
        client_secret=args.client_secret,
        rightsizing_plants=args.rightsizing_plants,
        **extra,
    )


def main(argv: list[str] | None = None) -> None:
    with start_simulator(parse_args(argv)) as sim:
        print(sim.base_url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
