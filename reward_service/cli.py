"""The `reward-service` command."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import uvicorn

from reward_service import __version__
from reward_service.app import create_app
from reward_service.exceptions import ClientNotInstalled, TokenConfigError
from reward_service.http_protocol import read_deadline_protocol
from reward_service.importers.arguments import add_import_arguments
from reward_service.logging_setup import configure_logging
from reward_service.score_file.arguments import add_score_arguments
from reward_service.settings import Settings


def _serve(args: argparse.Namespace) -> None:
    overrides = {
        k: v for k, v in {"host": args.host, "port": args.port, "workers": args.workers}.items() if v is not None
    }
    settings = Settings(**overrides)
    configure_logging(settings)
    try:
        app = create_app(settings)
    except TokenConfigError as exc:
        raise SystemExit(f"reward-service: {exc}") from exc
    # log_config=None: uvicorn keeps the handlers configure_logging installed (JSON, with request ids).
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        http=read_deadline_protocol(settings.request_read_timeout_s),
        log_config=None,
        access_log=False,
    )


def _worker(args: argparse.Namespace) -> None:
    if args.queue == "sessions":
        from reward_service.sessions.host import run_session_worker

        raise SystemExit(run_session_worker(Settings()))
    from reward_service.dispatch.rq.worker import run_worker  # the API never needs RQ's worker machinery

    raise SystemExit(run_worker(args.queue, args.processes, Settings()))


def _score(args: argparse.Namespace) -> None:
    from reward_service.score_file.command import run_score_command  # the pipeline, rich: only this command needs them

    try:
        code = run_score_command(args)
    except ClientNotInstalled as exc:
        raise SystemExit(f"reward-service score: {exc}") from exc
    raise SystemExit(code)


def _import_problems(args: argparse.Namespace) -> None:
    from reward_service.importers.command import run_import_command  # datasets, rich: only this command

    try:
        code = run_import_command(args)
    except ClientNotInstalled as exc:
        raise SystemExit(f"reward-service problems import: {exc}") from exc
    raise SystemExit(code)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="reward-service", description="Reward and verifier service for RLVR.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP API (embedded worker pool unless configured otherwise)")
    serve.add_argument("--host", help="bind address (REWARD_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (REWARD_PORT, default 8000)")
    serve.add_argument("--workers", type=int, help="verifier worker processes (REWARD_WORKERS, default: CPUs)")
    serve.set_defaults(handler=_serve)
    worker = commands.add_parser("worker", help="verify chunks from Redis (needs REWARD_REDIS_URL or REDIS_URL)")
    worker.add_argument(
        "--queue",
        choices=["math", "code", "sessions"],
        default="math",
        help="which task's queue to serve; `sessions`: hold /sessions for an API that queues on Redis",
    )
    worker.add_argument(
        "--processes",
        type=int,
        help="math: verifier processes (default REWARD_WORKERS); code: sandboxes (default REWARD_SANDBOX_POOL_SIZE)",
    )
    worker.set_defaults(handler=_worker)
    score = commands.add_parser("score", help="score a JSONL file of rollouts (resumable); select SFT data R1-style")
    add_score_arguments(score)
    score.set_defaults(handler=_score)
    problems = commands.add_parser("problems", help="manage stored problems: import contest datasets")
    problem_commands = problems.add_subparsers(dest="problems_command", required=True)
    importer = problem_commands.add_parser(
        "import", help="store a dataset's problems (codecontests, apps, taco, livecodebench, humaneval, mbpp)"
    )
    add_import_arguments(importer)
    importer.set_defaults(handler=_import_problems)
    args = parser.parse_args(argv)
    args.handler(args)


if __name__ == "__main__":
    main()
