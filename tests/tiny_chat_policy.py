"""A chat policy small enough to train on a CPU in seconds, built here: nothing is downloaded.

TRL's GRPOTrainer needs a causal language model and a tokenizer with a chat template. A
model with random weights writes random tokens, which the service scores 0 every time, so
a run could not tell a reward function that works from one that returns zeros. This one is
taught first, by plain supervised steps, to answer each prompt with a fixed completion
(`<think> reasoning </think> \\boxed{answer}`), so the rollouts GRPO samples are mostly
those completions and their rewards are known in advance.

Words are whole tokens (a word-level vocabulary split on spaces), so what the model writes
decodes to exactly the text it was taught. With `reasoning=True` the tokenizer also gets
TRL's Qwen3 response schema, so TRL parses each completion into `content` and
`reasoning_content` (what a reasoning parser hands a reward function).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SPECIAL = ["<pad>", "<unk>", "<|im_start|>", "<|im_end|>"]


@dataclass(frozen=True)
class Lesson:
    """A prompt and the completion the policy is taught to answer it with."""

    prompt: str
    completion: str


def _tokenizer(words: set[str], reasoning: bool) -> Any:
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast
    from trl.chat_template_utils import add_response_schema, qwen3_chat_template

    vocabulary = {word: index for index, word in enumerate(SPECIAL + sorted(words - set(SPECIAL)))}
    backend = Tokenizer(models.WordLevel(vocabulary, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    backend.decoder = decoders.WordPiece(prefix="##", cleanup=False)  # joins words with single spaces
    # The chat markers are matched before the split on spaces: "seven<|im_end|>" is two tokens.
    backend.add_special_tokens([AddedToken(marker, special=True) for marker in SPECIAL])
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, eos_token="<|im_end|>", pad_token="<pad>", unk_token="<unk>"
    )
    # Qwen3's own chat template, which TRL knows: add_response_schema gives it Qwen3's parser,
    # as a user of a Qwen3 model would.
    tokenizer.chat_template = qwen3_chat_template
    return add_response_schema(tokenizer) if reasoning else tokenizer


def chat_prompt(tokenizer: Any, prompt: str) -> str:
    messages = [{"role": "user", "content": prompt}]
    return str(tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True))


def build_tokenizer(lessons: Sequence[Lesson], reasoning: bool = False) -> Any:
    """A word-level tokenizer whose vocabulary is every word of the lessons, as written and as
    the chat template renders them."""
    words = {word for lesson in lessons for word in f"{lesson.prompt} {lesson.completion}".split()}
    draft = _tokenizer(words, reasoning=False)
    for lesson in lessons:
        for text in _split(draft, chat_prompt(draft, lesson.prompt)):
            words.add(text)
    return _tokenizer(words, reasoning)


def _split(tokenizer: Any, text: str) -> list[str]:
    for marker in SPECIAL:
        text = text.replace(marker, " ")
    return text.split()


def build_policy(
    lessons: Sequence[Lesson],
    reasoning: bool = False,
    steps: int = 250,
    seed: int = 0,
    hidden_size: int = 32,
    layers: int = 2,
) -> tuple[Any, Any]:
    """A (model, tokenizer) pair taught to answer each lesson's prompt with its completion."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    tokenizer = build_tokenizer(lessons, reasoning)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=2 * hidden_size,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=1024,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=None,
        tie_word_embeddings=False,
    )
    model = LlamaForCausalLM(config)
    texts = [f"{chat_prompt(tokenizer, lesson.prompt)}{lesson.completion}<|im_end|>" for lesson in lessons]
    batch = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False)
    labels = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
    # Wider models diverge at the rate that teaches the smallest one fastest.
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2 if hidden_size <= 64 else 2e-3)
    model.train()
    for _ in range(steps):
        loss = model(**batch, labels=labels).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.eval()
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    return model, tokenizer


def save_policy(model: Any, tokenizer: Any, directory: Path) -> Path:
    """Write the policy where `from_pretrained` (and `trl grpo --model_name_or_path`) reads it offline."""
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory
