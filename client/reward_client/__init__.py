"""reward_client: the thin client of reward-service (httpx only) and its trainer adapters.

Adapters live in submodules so that importing one never imports a trainer:
`reward_client.trl`, `reward_client.verl`, `reward_client.openrlhf`.
"""

from reward_client.async_client import AsyncRewardClient
from reward_client.client import RewardClient
from reward_client.config import ClientConfig
from reward_client.errors import (
    ProtocolMismatch,
    RequestRejected,
    RewardServiceError,
    ServiceFailed,
    ServiceUnavailable,
)
from reward_client.items import code_item, math_item
from reward_client.retry import RetryPolicy
from reward_client.wire import ScoreResult

__all__ = [
    "AsyncRewardClient",
    "ClientConfig",
    "ProtocolMismatch",
    "RequestRejected",
    "RetryPolicy",
    "RewardClient",
    "RewardServiceError",
    "ScoreResult",
    "ServiceFailed",
    "ServiceUnavailable",
    "code_item",
    "math_item",
]
