"""Liveness probe of an RQ worker container: `python -m reward_service.worker_probe`.

An RQ worker has no HTTP port. It registers itself in Redis under a key that
expires unless the worker keeps sending heartbeats (idle or busy), so "a worker
of this host is registered" means "a worker process in this container is alive
and its loop is turning". Exit 0: alive, or Redis unreachable (restarting the
worker would not bring Redis back; the worker reconnects by itself). Exit 1: Redis
answers and knows no worker of this host, so the kubelet restarts the container.
"""

from __future__ import annotations

import socket
import sys

from redis import Redis
from redis.exceptions import RedisError
from rq import Worker

from reward_service.settings import Settings


def workers_of_this_host(connection: Redis, hostname: str) -> int:
    return sum(1 for worker in Worker.all(connection=connection) if worker.hostname == hostname)


def main() -> int:
    settings = Settings()
    if not settings.redis_url:
        print("worker_probe: REWARD_REDIS_URL is not set", file=sys.stderr)
        return 1
    hostname = socket.gethostname()
    try:
        connection = Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=2)
        alive = workers_of_this_host(connection, hostname)
    except RedisError as exc:
        print(f"worker_probe: Redis unreachable ({exc}); not restarting the worker for it", file=sys.stderr)
        return 0
    if alive == 0:
        print(f"worker_probe: no RQ worker of host {hostname} is registered in Redis", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
