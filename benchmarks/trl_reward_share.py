"""The reward's share of a GRPO step: TRL's GRPOTrainer against a real `reward-service serve`.

Users ask whether a remote reward slows training. This runs TRL's own GRPOTrainer on the
CPU with a policy built and taught here (tests/tiny_chat_policy.py: nothing downloaded),
whose completions are R1-style (`<think> ... </think> \\boxed{n}`, right for some prompts
and wrong for others), and our reward function from reward_client.trl. It prints the
seconds spent in our reward function (measured around it, as TRL awaits it) against TRL's
own `step_time` of the same steps (generation, rewards, loss and update), and the share.

The share depends on how long the step's own work takes: on a GPU, generation of a
real model is faster per token than this CPU run, and its completions are longer.
Read the seconds per completion (printed too) as the cost the service adds.

    python -m benchmarks.trl_reward_share [--prompts 16] [--generations 8] [--steps 4]
        [--hidden-size 128] [--layers 4] [--reasoning-words 40] [--teach-steps 400]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from devstack.subprocess_server import running_server
from tests.tiny_chat_policy import Lesson, build_policy, chat_prompt

WORDS = ["first", "multiply", "the", "two", "numbers", "carry", "then", "check", "again", "so"]


def lessons(prompts: int, reasoning_words: int) -> list[tuple[Lesson, str]]:
    """Prompts "a times b"; the policy answers every third one wrong. Returns (lesson, gold)."""
    out = []
    for index in range(prompts):
        a, b = 3 + index, 7 + index
        answer = a * b if index % 3 else a * b + 1
        reasoning = " ".join(WORDS[(index + k) % len(WORDS)] for k in range(reasoning_words))
        lesson = Lesson(f"{a} times {b}", f"<think> {reasoning} </think> \\boxed{{{answer}}}")
        out.append((lesson, str(a * b)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=16, help="prompts per step")
    parser.add_argument("--generations", type=int, default=8, help="completions per prompt (GRPO's group)")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--hidden-size", type=int, default=128)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--reasoning-words", type=int, default=40)
    parser.add_argument("--teach-steps", type=int, default=400, help="supervised steps that teach the policy")
    args = parser.parse_args()

    import trl
    from datasets import Dataset
    from reward_client.trl import service_reward_func

    taught = lessons(args.prompts, args.reasoning_words)
    started = time.perf_counter()
    model, tokenizer = build_policy(
        [lesson for lesson, _ in taught], hidden_size=args.hidden_size, layers=args.layers, steps=args.teach_steps
    )
    parameters = sum(p.numel() for p in model.parameters())
    print(f"policy: {parameters / 1e6:.2f} M parameters, taught in {time.perf_counter() - started:.1f} s")
    rows = [{"prompt": chat_prompt(tokenizer, lesson.prompt), "answer": gold} for lesson, gold in taught]

    with running_server({"REWARD_LOG_LEVEL": "warning"}) as url, tempfile.TemporaryDirectory() as out:
        function = service_reward_func(url)
        spent = {"seconds": 0.0, "completions": 0}

        async def service_reward(**kwargs: Any) -> list[float | None]:
            begun = time.perf_counter()
            rewards: list[float | None] = await function(**kwargs)
            spent["seconds"] += time.perf_counter() - begun
            spent["completions"] += len(rewards)
            return rewards

        batch = args.prompts * args.generations
        config = trl.GRPOConfig(
            output_dir=str(Path(out)),
            max_steps=args.steps,
            per_device_train_batch_size=batch,
            num_generations=args.generations,
            max_completion_length=args.reasoning_words + 16,
            beta=0.0,
            logging_steps=1,
            report_to="none",
            save_strategy="no",
            use_cpu=True,
            bf16=False,
            seed=0,
        )
        trainer = trl.GRPOTrainer(
            model=model,
            processing_class=tokenizer,
            reward_funcs=[service_reward],
            args=config,
            train_dataset=Dataset.from_list(rows),
        )
        trainer.train()

    step_times = [entry["step_time"] for entry in trainer.state.log_history if "step_time" in entry]
    means = [entry["rewards/service_reward/mean"] for entry in trainer.state.log_history if "step_time" in entry]
    steps = sum(step_times)
    print(f"batch: {args.prompts} prompts x {args.generations} completions = {batch} per step, {len(step_times)} steps")
    print(f"mean reward per step: {', '.join(f'{mean:.3f}' for mean in means)}")
    print(f"trainer step time: {steps:.2f} s ({steps / len(step_times):.2f} s per step)")
    print(
        f"reward function:   {spent['seconds']:.2f} s "
        f"({1000 * spent['seconds'] / spent['completions']:.2f} ms per completion)"
    )
    print(f"reward share of the step: {spent['seconds'] / steps:.1%}")


if __name__ == "__main__":
    main()
