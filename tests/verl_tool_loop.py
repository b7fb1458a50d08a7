"""Drive the client's veRL code-interpreter tool through veRL 0.9.1's own tool-calling code.

Run by tests/test_verl_tool.py in `.venv-verl` (veRL's agent loop imports torch, Ray,
hydra and transformers, which the service's virtualenv cannot hold beside its own). The
tool is loaded as veRL loads tools, from a YAML file by `initialize_tools_from_config`,
and every call goes through `ToolAgentLoop._call_tool`, the method veRL's multi-turn
rollout calls for each tool call a model makes: it parses the arguments, creates the tool
instance, executes it with the trajectory's `AgentData`, releases it, and truncates the
answer. Only the loop object around that method is a stand-in (its three attributes the
method reads), since building a real one needs a model server.

    python tests/verl_tool_loop.py URL   # prints one JSON object: what each call returned
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import types
from typing import Any

TOOL_CONFIG = """
tools:
  - class_name: reward_client.verl_tool.CodeInterpreterTool
    config:
      type: native
      url: {url}
      limits: {{time_s: 2}}
      idle_ttl_s: 60
"""


async def drive(url: str) -> dict[str, Any]:
    from verl.experimental.agent_loop.tool_agent_loop import AgentData, ToolAgentLoop
    from verl.experimental.agent_loop.tool_parser import FunctionCall
    from verl.tools.tool_registry import initialize_tools_from_config

    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as config:
        config.write(TOOL_CONFIG.format(url=url))
        config.flush()
        tools = initialize_tools_from_config(config.name)
    loop = types.SimpleNamespace(
        tools={tool.name: tool for tool in tools}, max_tool_response_length=2000, tool_response_truncate_side="middle"
    )

    def trajectory(request_id: str) -> Any:
        return AgentData(
            messages=[],
            image_data=[],
            video_data=[],
            audio_data=None,
            mm_processor_kwargs=None,
            metrics={},
            request_id=request_id,
            tools_kwargs={},
        )

    async def call(agent: Any, arguments: str) -> dict[str, Any]:
        function = FunctionCall(name="code_interpreter", arguments=arguments)
        response, reward, metrics = await ToolAgentLoop._call_tool(loop, function, {}, agent)
        return {"text": response.text, "reward": reward, "metrics": metrics}

    first, second = trajectory("trajectory-a"), trajectory("trajectory-b")
    calls = {
        "a1": await call(first, json.dumps({"code": "x = 20\ndef f(n):\n    return n + 1\nprint('defined')"})),
        "b1": await call(second, json.dumps({"code": "'x' in globals()"})),
        "a2": await call(first, json.dumps({"code": "f(x) * 2"})),
        "a3": await call(first, json.dumps({"code": "1 / 0"})),
        "a4": await call(first, json.dumps({"code": "while True:\n    pass"})),
        "a5": await call(first, json.dumps({"code": "'x' in globals()"})),
        "bad_json": await call(first, "{not json"),
        "no_code": await call(first, json.dumps({"source": "1"})),
    }
    tool = loop.tools["code_interpreter"]
    instance, _ = await tool.create(create_kwargs={"ground_truth": "42"})
    calls["reward_right"] = await tool.calc_reward(instance, response="so \\boxed{42}")
    calls["reward_wrong"] = await tool.calc_reward(instance, response="so \\boxed{41}")
    await tool.release(instance)
    calls["open_sessions"] = len(tool._sessions)
    return calls


if __name__ == "__main__":
    print(json.dumps(asyncio.run(drive(sys.argv[1]))))
