"""Tiny judge models built offline, saved with save_pretrained and loaded like real ones.

- `build_tokenizer()`: a byte-level BPE tokenizer trained with `tokenizers` on a few sentences, with
  Qwen's special tokens and a Qwen-style chat template that, like Qwen3.5's, closes an empty
  `<think>\\n\\n</think>\\n\\n` block when `enable_thinking=False`.
- `build_tiny_qwen3(path)`: a 2-layer Qwen3 with random weights (seeded).
- `build_always_a(path)`: a Qwen3 with hand-set weights whose next-token logits ignore the input:
  `A` = 20, `B` = 10, every other token 0. Every pass says A with P(A) = 1 / (1 + e^-10), so the
  swap-averaged P(text 1 better) is exactly 0.5 and the two passes disagree (inconsistent).

Test modules import the fixtures (`from tests.judge_fixtures import tiny_judge, always_a_judge`);
models are built once per session into a temporary folder.
"""
from __future__ import annotations

import atexit
import math
import shutil
import tempfile
from pathlib import Path

import pytest

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>"]
CHAT_TEMPLATE = (
    "{%- for message in messages %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}"
    "{{- '<|im_start|>assistant\\n' }}"
    "{%- if enable_thinking is defined and enable_thinking is false %}"
    "{{- '<think>\\n\\n</think>\\n\\n' }}"
    "{%- else %}"
    "{{- '<think>\\n' }}"
    "{%- endif %}"
    "{%- endif %}"
)
TRAINING_SENTENCES = [
    "Write a short poem about the sea at night.",
    "The sea was calm and the moon was bright over the water.",
    "Waves broke on the rocks; a gull cried and the wind turned cold.",
    "Explain why the sky is blue in two sentences.",
    "Sunlight scatters off molecules in the air, and blue light scatters the most.",
    '{"instruction": "Tell a story", "A": "Once upon a time", "B": "There was a dragon"}',
    "Response A is clearer. Response B is more original. Évaluer la qualité: très bien, naïve café.",
]
TINY_CONFIG = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                   num_key_value_heads=2, head_dim=8)


def build_tokenizer(vocab_size: int = 400):
    """A byte-level BPE tokenizer (every byte is a token, so `A` and `B` are single tokens)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    backend.train_from_iterator(TRAINING_SENTENCES, trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, eos_token="<|im_end|>",
                                        pad_token="<|endoftext|>")
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def _config(tokenizer, **overrides):
    from transformers import Qwen3Config

    settings = dict(TINY_CONFIG, vocab_size=len(tokenizer), max_position_embeddings=8192,
                    tie_word_embeddings=False, pad_token_id=tokenizer.pad_token_id,
                    eos_token_id=tokenizer.eos_token_id)
    settings.update(overrides)
    return Qwen3Config(**settings)


def build_tiny_qwen3(path: Path, seed: int = 0, **config) -> Path:
    """A random-weight Qwen3 (seeded); a wide initialisation so that verdicts vary between prompts."""
    import torch
    from transformers import Qwen3ForCausalLM

    tokenizer = build_tokenizer()
    torch.manual_seed(seed)
    model = Qwen3ForCausalLM(_config(tokenizer, initializer_range=0.3, **config)).eval()
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return Path(path)


def build_always_a(path: Path, logit_a: float = 20.0, logit_b: float = 10.0) -> Path:
    """A Qwen3 whose logits are A = logit_a, B = logit_b, others 0, whatever the input.

    Every embedding is the unit vector e0 and every attention/MLP output projection is zero, so the
    last hidden state is e0 at every position; the final RMSNorm turns it into e0 * r with
    r = 1 / sqrt(1/hidden + eps), and lm_head rows A and B are logit/r on dimension 0.
    """
    import torch
    from transformers import Qwen3ForCausalLM

    tokenizer = build_tokenizer()
    config = _config(tokenizer)
    model = Qwen3ForCausalLM(config).eval()
    id_a, id_b = (tokenizer.encode(t, add_special_tokens=False)[0] for t in ("A", "B"))
    scale = 1.0 / math.sqrt(1.0 / config.hidden_size + config.rms_norm_eps)
    with torch.no_grad():
        for name, weight in model.named_parameters():
            if name.endswith(("o_proj.weight", "down_proj.weight")):
                weight.zero_()
        model.model.embed_tokens.weight.zero_()
        model.model.embed_tokens.weight[:, 0] = 1.0
        model.lm_head.weight.zero_()
        model.lm_head.weight[id_a, 0] = logit_a / scale
        model.lm_head.weight[id_b, 0] = logit_b / scale
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return Path(path)


_BUILT: dict[str, Path] = {}


def _once(name: str, builder) -> Path:
    """Build a model once per process (fixtures imported into several modules share it)."""
    if name not in _BUILT:
        folder = Path(tempfile.mkdtemp(prefix=f"judge-{name}-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _BUILT[name] = builder(folder)
    return _BUILT[name]


@pytest.fixture(scope="session")
def tiny_judge() -> Path:
    return _once("tiny", build_tiny_qwen3)


@pytest.fixture(scope="session")
def always_a_judge() -> Path:
    return _once("always-a", build_always_a)
