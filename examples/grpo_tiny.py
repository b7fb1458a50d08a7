"""A tiny GRPO loop that learns addition from rewards scored by reward-service.

A small causal transformer, trained from scratch (nothing is downloaded), reads prompts
such as `3+5=` and writes the sum with two digits (`08`). Every reward comes from the service through
`reward_client`: each rollout is sent as a math item whose ground truth is the true sum,
and the service decides whether the answer is right (`08` is the number 8). The policy
starts out uniform over the ten digits, so it is right 1% of the time, and only rewards
teach it: there is no supervised warm-up.

GRPO as in DeepSeekMath: G completions per prompt, advantages normalised within each
group, a clipped policy-ratio loss over a few inner updates per batch, and a k3 KL
penalty to a frozen reference (the initial policy).

    reward-service serve &                    # or pass --serve to start one here
    python -m examples.grpo_tiny --url http://127.0.0.1:8000 --plot reward_curve.png

Needs the `examples` extra (torch, tqdm, matplotlib) and `reward-client`.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import math
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from reward_client import RewardClient
from torch import nn
from tqdm import tqdm

PAD, BOS = "<pad>", "<bos>"
VOCAB = [PAD, BOS, *"0123456789", "+", "="]
TOKEN = {token: index for index, token in enumerate(VOCAB)}
# Answers are written with a fixed number of digits ("07" for 7; the service compares numbers), so
# the policy never has to learn a format before it can learn arithmetic, and a random policy is
# right with probability 10**-digits. "+" and "=" appear only in prompts: the service would rightly
# accept "3+4" for 7, and echoing the prompt is not the skill this example teaches.
NOT_SAMPLED = [TOKEN[PAD], TOKEN[BOS], TOKEN["+"], TOKEN["="]]


@dataclass(frozen=True)
class Problem:
    a: int
    b: int

    @property
    def prompt(self) -> str:
        return f"{self.a}+{self.b}="

    @property
    def answer(self) -> str:
        return str(self.a + self.b)

    def written(self, digits: int) -> str:
        """The answer as the policy must write it: zero-padded to `digits` digits."""
        return self.answer.zfill(digits)


class TinyCausalLM(nn.Module):
    """A decoder-only transformer over the 14-token vocabulary."""

    def __init__(self, max_len: int, d_model: int = 64, layers: int = 2, heads: int = 4) -> None:
        super().__init__()
        self.embed = nn.Embedding(len(VOCAB), d_model)
        self.position = nn.Embedding(max_len, d_model)
        block = nn.TransformerEncoderLayer(
            d_model, heads, 4 * d_model, dropout=0.0, batch_first=True, norm_first=True, activation="gelu"
        )
        self.blocks = nn.TransformerEncoder(block, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, len(VOCAB))
        for parameter in self.parameters():
            if parameter.dim() > 1:
                nn.init.normal_(parameter, std=0.02)  # small logits: the untrained policy is close to uniform
        nn.init.zeros_(self.head.bias)
        self.register_buffer("causal", nn.Transformer.generate_square_subsequent_mask(max_len), persistent=False)
        self.register_buffer("not_sampled", torch.tensor(NOT_SAMPLED), persistent=False)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        length = tokens.shape[1]
        hidden = self.embed(tokens) + self.position(torch.arange(length, device=tokens.device))
        hidden = self.blocks(hidden, mask=self.causal[:length, :length], is_causal=True)
        return self.head(self.norm(hidden)).index_fill(-1, self.not_sampled, -1e9)


def encode_prompts(problems: list[Problem], device: torch.device) -> torch.Tensor:
    rows = [[TOKEN[BOS], *(TOKEN[c] for c in p.prompt)] for p in problems]
    width = max(map(len, rows))
    # Left padding keeps every prompt's last token in the same column; prompts here all have one length.
    return torch.tensor([[TOKEN[PAD]] * (width - len(r)) + r for r in rows], device=device)


@torch.no_grad()
def sample(policy: TinyCausalLM, prompts: torch.Tensor, new_tokens: int) -> torch.Tensor:
    """`new_tokens` sampled tokens after each prompt, at temperature 1."""
    sequence = prompts
    for _ in range(new_tokens):
        logits = policy(sequence)[:, -1]
        token = torch.multinomial(F.softmax(logits, dim=-1), 1)
        sequence = torch.cat([sequence, token], dim=1)
    return sequence[:, prompts.shape[1] :]


def decode(completion: torch.Tensor) -> str:
    return "".join(VOCAB[index] for index in completion.tolist())


def token_logprobs(policy: TinyCausalLM, prompts: torch.Tensor, completions: torch.Tensor) -> torch.Tensor:
    sequence = torch.cat([prompts, completions], dim=1)
    logits = policy(sequence[:, :-1])[:, prompts.shape[1] - 1 :]
    return torch.gather(F.log_softmax(logits, dim=-1), 2, completions[..., None]).squeeze(2)


def group_advantages(rewards: torch.Tensor, group_size: int) -> torch.Tensor:
    grouped = rewards.view(-1, group_size)
    centred = grouped - grouped.mean(dim=1, keepdim=True)
    return (centred / (grouped.std(dim=1, keepdim=True) + 1e-4)).view(-1)


def grpo_loss(
    new: torch.Tensor, old: torch.Tensor, reference: torch.Tensor, advantages: torch.Tensor, clip: float, kl_coef: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """Token log-probs of the current, behaviour (old) and reference policies in; loss and mean KL out."""
    ratio = torch.exp(new - old)
    unclipped = ratio * advantages[:, None]
    clipped = torch.clamp(ratio, 1 - clip, 1 + clip) * advantages[:, None]
    kl = torch.exp(reference - new) - (reference - new) - 1  # k3: unbiased, always >= 0
    per_token = -torch.min(unclipped, clipped) + kl_coef * kl
    return per_token.mean(), kl.mean()


def fetch_rewards(client: RewardClient, problems: list[Problem], texts: list[str], step: int) -> torch.Tensor:
    items = [
        {"id": f"{step}-{i}", "task": "math", "response": text, "ground_truth": problem.answer}
        for i, (problem, text) in enumerate(zip(problems, texts, strict=False))
    ]
    results = client.score(items)
    undecided = sum(r.score is None for r in results)
    if undecided:
        # A reward the service could not decide is not a 0: skip training on the step instead of learning from it.
        raise RuntimeError(f"reward-service left {undecided} of {len(items)} items undecided at step {step}")
    return torch.tensor([r.score for r in results], dtype=torch.float32)


def write_plot(path: Path, rewards: list[float], seconds: float, device: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    window = 10
    smooth = [
        sum(rewards[max(0, i - window + 1) : i + 1]) / len(rewards[max(0, i - window + 1) : i + 1])
        for i in range(len(rewards))
    ]
    figure, axes = plt.subplots(figsize=(7, 4))
    axes.plot(rewards, alpha=0.35, label="mean reward per step")
    axes.plot(smooth, label=f"moving average ({window} steps)")
    axes.set_xlabel("GRPO step")
    axes.set_ylabel("mean reward (from reward-service)")
    axes.set_ylim(-0.02, 1.02)
    axes.set_title(f"grpo_tiny: {len(rewards)} steps, {seconds:.0f} s on {device}")
    axes.grid(alpha=0.3)
    axes.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


@contextlib.contextmanager
def service_url(args: argparse.Namespace) -> Iterator[str]:
    if not args.serve:
        yield args.url
        return
    from devstack.subprocess_server import running_server  # the server package, needed only for --serve

    with running_server({"REWARD_WORKERS": str(args.serve_workers), "REWARD_LOG_LEVEL": "warning"}) as url:
        yield url


def train(args: argparse.Namespace, url: str) -> dict[str, float]:
    device = torch.device("cuda" if torch.cuda.is_available() and not args.cpu else "cpu")
    if device.type == "cpu":
        # The model is tiny: more threads only spin against each other (and the server) on a small machine.
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    problems_pool = [Problem(a, b) for a in range(args.max_sum + 1) for b in range(args.max_sum + 1 - a)]
    digits = max(args.answer_digits, len(str(args.max_sum)))
    max_len = 1 + max(len(p.prompt) for p in problems_pool) + digits

    policy = TinyCausalLM(max_len).to(device)
    reference = copy.deepcopy(policy).eval().requires_grad_(False)
    optimizer = torch.optim.Adam(policy.parameters(), lr=args.lr)
    client = RewardClient(url)
    log = open(args.log, "w") if args.log else None

    rewards_per_step: list[float] = []
    items_scored = 0
    started = time.monotonic()
    progress = tqdm(range(args.steps), desc="GRPO", unit="step", file=sys.stderr, disable=args.quiet)
    for step in progress:
        batch = [problem for problem in rng.choices(problems_pool, k=args.prompts) for _ in range(args.group)]
        prompts = encode_prompts(batch, device)
        policy.eval()
        completions = sample(policy, prompts, digits)
        texts = [decode(c) for c in completions.cpu()]
        rewards = fetch_rewards(client, batch, texts, step)
        items_scored += len(texts)
        advantages = group_advantages(rewards, args.group).to(device)

        policy.train()
        with torch.no_grad():
            old = token_logprobs(policy, prompts, completions)
            ref = token_logprobs(reference, prompts, completions)
        for _ in range(args.inner_steps):
            loss, kl = grpo_loss(
                token_logprobs(policy, prompts, completions), old, ref, advantages, args.clip, args.kl_coef
            )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(policy.parameters(), 1.0)
            optimizer.step()

        mean_reward = rewards.mean().item()
        rewards_per_step.append(mean_reward)
        elapsed = time.monotonic() - started
        progress.set_postfix(reward=f"{mean_reward:.3f}", kl=f"{kl.item():.3f}", example=f"{batch[0].prompt}{texts[0]}")
        if log:
            log.write(
                json.dumps(
                    {
                        "step": step,
                        "reward": mean_reward,
                        "kl": kl.item(),
                        "seconds": round(elapsed, 2),
                        "items": len(texts),
                    }
                )
                + "\n"
            )
            log.flush()
        recent = rewards_per_step[-args.window :]
        if args.stop_at and len(recent) == args.window and sum(recent) / len(recent) >= args.stop_at:
            break
        if args.time_limit and elapsed > args.time_limit:
            break
    progress.close()
    seconds = time.monotonic() - started
    if log:
        log.close()
    if args.plot:
        write_plot(Path(args.plot), rewards_per_step, seconds, device.type)

    head = rewards_per_step[: args.window]
    tail = rewards_per_step[-args.window :]
    return {
        "steps": len(rewards_per_step),
        "seconds": round(seconds, 1),
        "device": device.type,
        "items_scored": items_scored,
        "start_reward": round(sum(head) / len(head), 4),
        "final_reward": round(sum(tail) / len(tail), 4),
        "first_step_reward": round(rewards_per_step[0], 4),
        "last_step_reward": round(rewards_per_step[-1], 4),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="a running reward-service")
    parser.add_argument("--serve", action="store_true", help="start `reward-service serve` here instead of using --url")
    parser.add_argument("--serve-workers", type=int, default=1, help="verifier workers of the --serve server")
    parser.add_argument("--steps", type=int, default=3000, help="GRPO steps at most")
    parser.add_argument("--time-limit", type=float, default=540, help="stop after this many seconds (0: none)")
    parser.add_argument(
        "--stop-at", type=float, default=0.9, help="stop once the moving-average reward reaches this (0: never)"
    )
    parser.add_argument(
        "--window", type=int, default=20, help="steps averaged for the start/final reward and --stop-at"
    )
    parser.add_argument("--prompts", type=int, default=16, help="prompts per step")
    parser.add_argument("--group", type=int, default=16, help="completions per prompt (G)")
    parser.add_argument("--max-sum", type=int, default=9, help="problems are a+b with a, b >= 0 and a+b <= this")
    parser.add_argument(
        "--answer-digits",
        type=int,
        default=2,
        help="answers are written zero-padded to this many digits: a random policy is right 10**-digits of the time",
    )
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--inner-steps", type=int, default=2, help="policy updates per batch (the ratio is clipped)")
    parser.add_argument("--clip", type=float, default=0.2)
    parser.add_argument("--kl-coef", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cpu", action="store_true", help="stay on the CPU even when a GPU is present")
    parser.add_argument("--threads", type=int, default=1, help="torch threads on the CPU")
    parser.add_argument("--plot", default="grpo_tiny_reward.png", help="where to write the reward curve (PNG)")
    parser.add_argument("--log", default=None, help="also write one JSON line per step here")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with service_url(args) as url:
        summary = train(args, url)
    print(json.dumps(summary))
    if not math.isfinite(summary["final_reward"]):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
