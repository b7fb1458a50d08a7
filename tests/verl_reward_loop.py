"""Score samples through veRL's own reward loop, configured by command-line overrides.

Run by tests/test_verl_recipe.py in a virtualenv of its own (`.venv-verl`, made by
scripts/test.sh): veRL 0.9.1 needs hydra-core, whose antlr4 runtime is older than the
one the service's math parser needs, and transformers older than TRL's. This script
imports no service code: the service is a separate process, reached over HTTP by the
reward function that veRL loads from the configuration.

What it does is what `python -m verl.trainer.main_ppo <overrides>` does for rewards:
compose the configuration from veRL's own Hydra files (the installed release's
`verl/trainer/config/ppo_trainer.yaml`) with the overrides, build a `RewardLoopWorker`
from it (the class veRL's RewardLoopManager runs as Ray actors; Ray only for the
`remote` manager, which is not run here), and score a batch of decoded responses with
`compute_score_batch`. Several configurations share one process (veRL's imports take
seconds).

    python tests/verl_reward_loop.py SPEC.json   # prints one JSON line: a report per run
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from typing import Any


def build_tokenizer(texts: list[str], directory: str) -> str:
    """A word-level tokenizer for exactly these texts, saved where veRL's hf_tokenizer loads it."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = sorted({word for text in texts for word in text.split()})
    vocabulary = {word: index for index, word in enumerate(["<pad>", "<unk>", "<eos>", *words])}
    backend = Tokenizer(models.WordLevel(vocabulary, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    backend.decoder = decoders.WordPiece(prefix="##", cleanup=False)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, pad_token="<pad>", unk_token="<unk>", eos_token="<eos>"
    )
    tokenizer.save_pretrained(directory)
    return directory


def compose(overrides: list[str]) -> Any:
    import verl
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    config_dir = os.path.join(os.path.dirname(verl.__file__), "trainer", "config")
    with initialize_config_dir(config_dir=config_dir, version_base=None):
        return hydra_compose(config_name="ppo_trainer", overrides=overrides)


def batch(tokenizer_dir: str, samples: list[dict[str, Any]]) -> Any:
    """A DataProto as the rollout hands it to the reward loop: prompt and response ids
    (right-padded responses), the attention mask over both, and the dataset's fields."""
    import numpy as np
    import torch
    from transformers import AutoTokenizer
    from verl import DataProto

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    prompts = [tokenizer(sample["prompt"], add_special_tokens=False)["input_ids"] for sample in samples]
    responses = [tokenizer(sample["response"], add_special_tokens=False)["input_ids"] for sample in samples]
    prompt_width = max(map(len, prompts))
    response_width = max(map(len, responses))
    pad = tokenizer.pad_token_id
    prompt_ids = torch.tensor([[pad] * (prompt_width - len(ids)) + ids for ids in prompts])
    response_ids = torch.tensor([ids + [pad] * (response_width - len(ids)) for ids in responses])
    prompt_mask = torch.tensor([[0] * (prompt_width - len(ids)) + [1] * len(ids) for ids in prompts])
    response_mask = torch.tensor([[1] * len(ids) + [0] * (response_width - len(ids)) for ids in responses])
    return DataProto.from_dict(
        tensors={
            "prompts": prompt_ids,
            "responses": response_ids,
            "input_ids": torch.cat([prompt_ids, response_ids], dim=1),
            "attention_mask": torch.cat([prompt_mask, response_mask], dim=1),
        },
        non_tensors={
            "data_source": np.array([sample["data_source"] for sample in samples], dtype=object),
            "reward_model": np.array([{"ground_truth": sample["ground_truth"]} for sample in samples], dtype=object),
            "extra_info": np.array([dict(sample.get("extra_info") or {}) for sample in samples], dtype=object),
        },
    )


def score(overrides: list[str], samples: list[dict[str, Any]], tokenizer_dir: str) -> dict[str, Any]:
    from verl.experimental.reward_loop import RewardLoopWorker

    # The policy's path, where veRL reads its tokenizer: the one thing a real run adds.
    config = compose([*overrides, f"actor_rollout_ref.model.path={tokenizer_dir}"])
    worker = RewardLoopWorker(config)
    # The worker and its manager keep the event loop they were made on (a Ray actor's).
    outputs = worker.loop.run_until_complete(worker.compute_score_batch(batch(tokenizer_dir, samples)))
    return {
        "manager": type(worker.reward_manager).__name__,
        "custom_reward_function": dict(config.reward.custom_reward_function),
        "scores": [float(output["reward_score"]) for output in outputs],
        "statuses": [output["reward_extra_info"].get("status") for output in outputs],
    }


def main() -> None:
    """SPEC.json: {"runs": [[override, ...], ...], "samples": [...]}; prints a JSON list of reports."""
    with open(sys.argv[1]) as handle:
        spec = json.load(handle)
    samples = spec["samples"]
    reports = []
    with tempfile.TemporaryDirectory() as directory:
        tokenizer_dir = build_tokenizer([f"{s['prompt']} {s['response']}" for s in samples], directory)
        for overrides in spec["runs"]:
            try:
                reports.append(score(overrides, samples, tokenizer_dir))
            except Exception as exc:  # one configuration's failure is that run's report
                reports.append({"error": f"{type(exc).__name__}: {exc}"})
    print(json.dumps(reports, default=str))


if __name__ == "__main__":
    main()
