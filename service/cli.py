"""The `reward-service` command."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import uvicorn

from service.app import create_app
from service.settings import Settings


def _serve(args: argparse.Namespace) -> None:
    overrides = {k: v for k, v in {"host": args.host, "port": args.port, "workers": args.workers}.items() if v is not None}
    settings = Settings(**overrides)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="reward-service", description="Reward and verifier service for RLVR.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP API (embedded worker pool unless configured otherwise)")
    serve.add_argument("--host", help="bind address (REWARD_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (REWARD_PORT, default 8000)")
    serve.add_argument("--workers", type=int, help="verifier worker processes (REWARD_WORKERS, default: CPUs)")
    serve.set_defaults(handler=_serve)
    args = parser.parse_args(argv)
    args.handler(args)


if __name__ == "__main__":
    main()
