"""A code interpreter for veRL's multi-turn rollouts (its `BaseTool`), backed by a session.

veRL's SandboxFusion tool is stateless: every call runs one program, so a model that builds
on its earlier cells must resend them. This tool keeps one interpreter per trajectory on
the service (`POST /sessions`): each call runs the model's cell in it, with what the
trajectory's earlier cells defined.

veRL 0.9.1's tool agent loop (verl/experimental/agent_loop/tool_agent_loop.py) creates,
executes and releases a tool instance around every single call, and hands `execute` the
trajectory's `agent_data`. So the session belongs to the trajectory (`agent_data.request_id`),
not to the instance: a release ends the instance only, and the service ends the session
once the trajectory is idle for `idle_ttl_s`. A caller that keeps one instance for a whole
trajectory and passes no `agent_data` gets a session per instance, ended by `release`.

Configured as veRL configures tools (`actor_rollout_ref.rollout.multi_turn.tool_config_path`):

    tools:
      - class_name: reward_client.verl_tool.CodeInterpreterTool
        config:
          type: native
          url: http://reward-host:8000     # default: $REWARD_SERVICE_URL
          limits: {time_s: 5, memory_mb: 512}
          idle_ttl_s: 120

`calc_reward` scores a trajectory's final answer through `/score` (a math item against the
`ground_truth` given in `create_kwargs`), for callers that ask a tool for its reward.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any
from uuid import uuid4

from verl.tools.base_tool import BaseTool
from verl.tools.schemas import OpenAIFunctionToolSchema, ToolResponse

from reward_client.async_client import AsyncRewardClient
from reward_client.errors import RequestRejected, RewardServiceError
from reward_client.items import math_item
from reward_client.sessions import cell_text

DEFAULT_SCHEMA = {
    "type": "function",
    "function": {
        "name": "code_interpreter",
        "description": "Run Python code in a persistent interpreter: variables, functions and imports from "
        "earlier calls are kept. The value of a final expression is shown, as in a notebook.",
        "parameters": {
            "type": "object",
            "properties": {"code": {"type": "string", "description": "The Python code to run."}},
            "required": ["code"],
        },
    },
}
DEFAULT_IDLE_TTL_S = 120.0


class CodeInterpreterTool(BaseTool):
    def __init__(self, config: dict[str, Any], tool_schema: OpenAIFunctionToolSchema | None = None) -> None:
        schema = tool_schema or OpenAIFunctionToolSchema.model_validate(DEFAULT_SCHEMA)
        super().__init__(config, schema)
        client_config: dict[str, Any] = {}
        if config.get("token"):
            client_config["api_token"] = config["token"]
        self.client = AsyncRewardClient(config.get("url"), **client_config)
        self.limits: dict[str, Any] = dict(config.get("limits") or {})
        self.idle_ttl_s = float(config.get("idle_ttl_s") or DEFAULT_IDLE_TTL_S)
        self._sessions: dict[str, str] = {}  # trajectory (or instance) -> session id
        self._last_used: dict[str, float] = {}
        self._opening: dict[str, asyncio.Lock] = {}
        self._instances: dict[str, dict[str, Any]] = {}  # instance -> its trajectory and create_kwargs

    async def create(self, instance_id: str | None = None, **kwargs: Any) -> tuple[str, ToolResponse]:
        instance_id = instance_id or str(uuid4())
        self._instances[instance_id] = {"trajectory": instance_id, "create_kwargs": kwargs.get("create_kwargs") or {}}
        return instance_id, ToolResponse()

    def _forget_idle(self) -> None:
        """Trajectories idle past the TTL: the service has ended their sessions, so they are
        forgotten here too (a training run makes millions of trajectories)."""
        cutoff = time.monotonic() - self.idle_ttl_s
        for trajectory in [key for key, used in self._last_used.items() if used < cutoff]:
            self._last_used.pop(trajectory, None)
            self._sessions.pop(trajectory, None)
            lock = self._opening.get(trajectory)
            if lock is not None and not lock.locked():
                self._opening.pop(trajectory, None)

    async def _session(self, trajectory: str, fresh: bool = False) -> str:
        self._forget_idle()
        self._last_used[trajectory] = time.monotonic()
        lock = self._opening.setdefault(trajectory, asyncio.Lock())
        async with lock:  # one trajectory's parallel calls open one session
            if fresh:
                self._sessions.pop(trajectory, None)
            if trajectory not in self._sessions:
                opened = await self.client.open_session(limits=self.limits, idle_ttl_s=self.idle_ttl_s)
                self._sessions[trajectory] = str(opened["id"])
            return self._sessions[trajectory]

    async def execute(
        self, instance_id: str, parameters: dict[str, Any], **kwargs: Any
    ) -> tuple[ToolResponse, float, dict[str, Any]]:
        code = parameters.get("code") if isinstance(parameters, dict) else None
        if not isinstance(code, str) or not code.strip():
            return ToolResponse(text="code_interpreter needs `code`: the Python source to run."), 0.0, {}
        agent_data = kwargs.get("agent_data")
        trajectory = str(getattr(agent_data, "request_id", None) or instance_id)
        if instance_id in self._instances:
            self._instances[instance_id]["trajectory"] = trajectory
        note = ""
        try:
            session = await self._session(trajectory)
            try:
                result = await self.client.run_cell(session, code)
            except RequestRejected as exc:
                if exc.status_code != 404:
                    raise
                # The session ended (idle past its TTL): say so, and go on in a fresh interpreter.
                note = "[the earlier interpreter had ended after being idle: this ran in a fresh one]\n"
                result = await self.client.run_cell(await self._session(trajectory, fresh=True), code)
        except RewardServiceError as exc:
            return ToolResponse(text=f"code_interpreter is unavailable: {exc}"), 0.0, {"status": "unavailable"}
        self._last_used[trajectory] = time.monotonic()
        metrics = {"status": result.get("status"), "cpu_s": result.get("cpu_s"), "state_lost": result.get("state_lost")}
        return ToolResponse(text=note + cell_text(result)), 0.0, metrics

    async def calc_reward(self, instance_id: str, **kwargs: Any) -> float:
        """The trajectory's final answer scored by `/score`: `response` (or the last assistant
        message of `agent_data`) against the `ground_truth` of `create_kwargs`; 0.0 when the
        service cannot decide."""
        instance = self._instances.get(instance_id, {})
        ground_truth = kwargs.get("ground_truth", instance.get("create_kwargs", {}).get("ground_truth"))
        response = kwargs.get("response")
        agent_data = kwargs.get("agent_data")
        if response is None and agent_data is not None:
            replies = [m.get("content") for m in getattr(agent_data, "messages", []) if m.get("role") == "assistant"]
            response = replies[-1] if replies else None
        if ground_truth is None or not isinstance(response, str):
            return 0.0
        (result,) = await self.client.score([math_item(response, ground_truth)])
        return float(result.score or 0.0)

    async def release(self, instance_id: str, **kwargs: Any) -> None:
        instance = self._instances.pop(instance_id, None)
        trajectory = instance["trajectory"] if instance else instance_id
        if trajectory != instance_id:
            return  # the trajectory's session outlives this call's instance; its idle TTL ends it
        session = self._sessions.pop(trajectory, None)
        self._opening.pop(trajectory, None)
        self._last_used.pop(trajectory, None)
        if session is not None:
            try:
                await self.client.close_session(session)
            except RewardServiceError:
                pass  # the service ends it after its idle TTL anyway
