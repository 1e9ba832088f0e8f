"""Pairwise judge throughput: batched (both orders of N pairs in one forward pass) vs one at a time.

    python bench/judge.py            # CPU, a small random-weight Qwen3 built offline (~1-2 minutes)
    python bench/judge.py --gpu      # also: a Qwen3-4B-shaped random-weight model in bf16 on the GPU

Baseline (measured in the same run): the model card's loop, one prompt per forward pass, two passes
per pair. The GPU part times ~1.5k-token passes and reports the share of the GPU's bf16 dense peak
that the prefill reaches: achieved FLOP/s = FLOPs / time, with per prompt of n real tokens
FLOPs = 2 * n * P_matmul + 2 * layers * n^2 * (heads * head_dim) (causal QK^T and AV) + 2 * hidden * vocab
(lm_head at the last position only), P_matmul = the parameters of the layers' linear maps.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._report import write_section  # noqa: E402
from tests.judge_fixtures import TINY_CONFIG, build_tiny_qwen3  # noqa: E402
from toolkit.judge import Pair, load_judge  # noqa: E402

# A small model: big enough that compute, not Python overhead, dominates a forward pass on CPU.
CPU_CONFIG = dict(hidden_size=256, intermediate_size=768, num_hidden_layers=4, num_attention_heads=4,
                  num_key_value_heads=2, head_dim=64)
# Qwen3-4B's shape (config.json of Qwen/Qwen3-4B), built locally with random weights.
QWEN3_4B = dict(hidden_size=2560, intermediate_size=9728, num_hidden_layers=36, num_attention_heads=32,
                num_key_value_heads=8, head_dim=128, vocab_size=151936, tie_word_embeddings=True,
                max_position_embeddings=40960)
BF16_PEAK_TFLOPS = {"H100 PCIe": 756.0, "H100": 989.4, "H200": 989.4, "A100": 312.0, "L40S": 362.0}
ROUNDS = 2  # best of, per mode
WORDS = ("the sea wind gull rock moon water light blue story dragon calm bright night cold wave "
         "answer clear original repetitive voice quiet harbour lantern salt river stone").split()


def synthetic_pairs(n: int, words: tuple[int, int], seed: int = 0) -> list[Pair]:
    rng = random.Random(seed)

    def text() -> str:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(*words))).capitalize() + "."
    return [Pair(f"Write about {rng.choice(WORDS)}.", text(), text(), str(i)) for i in range(n)]


def cpu_section(title: str, config: dict, n_pairs: int, words: tuple[int, int], batch_sizes: list[int]) -> str:
    import torch

    from toolkit.judge import combine

    folder = Path(tempfile.mkdtemp(prefix="bench-judge-"))
    build_tiny_qwen3(folder, **config)
    judge = load_judge(str(folder), device="cpu")
    pairs = synthetic_pairs(n_pairs, words)
    prepared = [judge.prepare(p) for p in pairs]
    tokens = [len(judge.tokenizer.encode(item.prompt_1, add_special_tokens=False)) for item in prepared]
    judge.judge(pairs[:2])  # warm-up

    # baseline: one prompt per forward pass, pass 1 then pass 2, pair after pair. Each mode runs in
    # every round (rounds interleave the modes) and keeps its best time: the machine is shared.
    best: dict[int, float] = {}
    worst = 0.0
    for _ in range(ROUNDS):
        start = time.perf_counter()
        single = [(judge.backend.logprobs([item.prompt_1])[0], judge.backend.logprobs([item.prompt_2])[0])
                  for item in prepared]
        best[0] = min(best.get(0, float("inf")), time.perf_counter() - start)
        for size in batch_sizes:
            start = time.perf_counter()
            judged = judge.judge(pairs, batch_size=size)
            best[size] = min(best.get(size, float("inf")), time.perf_counter() - start)
            worst = max([worst] + [abs(combine(lp1, lp2)["p_text1_better"] - j.p_text1_better)
                                   for (lp1, lp2), j in zip(single, judged)])
    rows = [f"| one prompt per forward (the card's loop) | 1 | {n_pairs / best[0]:.2f} | 1.00x |"]
    rows += [f"| batched, both orders in one pass | {size} | {n_pairs / best[size]:.2f} | {best[0] / best[size]:.2f}x |"
             for size in batch_sizes]
    parameters = sum(p.numel() for p in judge.backend.net.parameters())
    return (f"**{title}**: random-weight Qwen3 built offline ({config['num_hidden_layers']} layers, hidden "
            f"{config['hidden_size']}, {parameters / 1e6:.2f}M parameters), float32, torch {torch.__version__} "
            f"on {torch.get_num_threads()} threads; {n_pairs} synthetic pairs, passes of "
            f"{min(tokens)}-{max(tokens)} tokens (mean {sum(tokens) / len(tokens):.0f}).\n\n"
            f"Best of {ROUNDS} interleaved rounds per mode.\n\n"
            "| mode | pairs per call | pairs/s | vs one-at-a-time |\n|---|---:|---:|---:|\n" + "\n".join(rows) +
            f"\n\nBatched and one-at-a-time P(text 1 better) agree within {worst:.1e} (max abs difference).")


def matmul_params(config: dict) -> int:
    """Parameters of the linear maps of the decoder layers (q, k, v, o, gate, up, down)."""
    h, d = config["hidden_size"], config["head_dim"]
    q, kv = config["num_attention_heads"] * d, config["num_key_value_heads"] * d
    per_layer = h * q + 2 * h * kv + q * h + 3 * h * config["intermediate_size"]
    return per_layer * config["num_hidden_layers"]


def prefill_flops(config: dict, lengths: list[int]) -> float:
    """FLOPs of one forward pass over prompts of these lengths (see the module docstring)."""
    attn_width = config["num_attention_heads"] * config["head_dim"]
    return sum(2 * n * matmul_params(config) + 2 * config["num_hidden_layers"] * n * n * attn_width
               + 2 * config["hidden_size"] * config["vocab_size"] for n in lengths)


def peak_tflops(name: str, override: float | None) -> float | None:
    if override:
        return override
    for key, value in BF16_PEAK_TFLOPS.items():
        if all(part in name for part in key.split()):
            return value
    return None


def gpu_section(n_pairs: int, batch_sizes: list[int], tokens: int, peak_override: float | None,
                device_name: str = "cuda", shape: dict | None = None) -> str:
    """Random-weight Qwen3-4B shape in bf16: pairs/s batched vs one pair per call, share of peak.

    `device_name` and `shape` exist so that the code path can be smoke-run on a CPU with a small shape.
    """
    import torch
    from transformers import Qwen3Config, Qwen3ForCausalLM

    from toolkit.judge.backends.transformers import next_token_logprobs

    device = torch.device(device_name)
    on_gpu = device.type == "cuda"
    if on_gpu and not torch.cuda.is_available():
        raise SystemExit("--gpu: no CUDA device here")
    sync = torch.cuda.synchronize if on_gpu else (lambda: None)
    config = dict(shape or QWEN3_4B)
    torch.manual_seed(0)
    with device:
        net = Qwen3ForCausalLM(Qwen3Config(**config, dtype=torch.bfloat16)).to(torch.bfloat16).eval()
    rng = random.Random(0)
    lengths = [rng.randint(int(tokens * 0.9), int(tokens * 1.1)) for _ in range(2 * n_pairs)]
    prompts = [torch.randint(0, config["vocab_size"], (n,)) for n in lengths]

    def run(batch: list[int]) -> None:
        width = max(lengths[i] for i in batch)
        ids = torch.zeros((len(batch), width), dtype=torch.long)
        mask = torch.zeros_like(ids)
        for row, i in enumerate(batch):  # left padding
            ids[row, width - lengths[i]:] = prompts[i]
            mask[row, width - lengths[i]:] = 1
        next_token_logprobs(net, ids.to(device), mask.to(device))

    def all_in(per_call: int) -> float:
        """Seconds to run every prompt, `per_call` prompts per forward pass (longest first)."""
        order = sorted(range(2 * n_pairs), key=lambda i: -lengths[i])
        step = per_call
        sync()
        start = time.perf_counter()
        for s in range(0, len(order), step):
            run(order[s:s + step])
        sync()
        return time.perf_counter() - start

    all_in(2)  # warm-up (kernels, allocator)
    baseline = min(all_in(1) for _ in range(2))
    flops = prefill_flops(config, lengths)
    name = torch.cuda.get_device_name() if on_gpu else str(device)
    peak = peak_tflops(name, peak_override)
    rows = []
    for label, size, seconds in [("one prompt per forward (the card's loop)", "1 prompt", baseline)] + \
            [("batched, both orders", size, min(all_in(2 * size) for _ in range(2))) for size in batch_sizes]:
        achieved = flops / seconds / 1e12
        share = f"{100 * achieved / peak:.0f}%" if peak else "n/a"
        rows.append(f"| {label} | {size} | {n_pairs / seconds:.2f} | {baseline / seconds:.2f}x | "
                    f"{achieved:.0f} | {share} |")
    return (f"Device: {name}; bf16 dense peak used: {peak or 'unknown'} TFLOP/s. Random-weight Qwen3-4B shape "
            f"({matmul_params(config) / 1e9:.2f}B parameters in the layers' linear maps), {n_pairs} pairs, "
            f"passes of {min(lengths)}-{max(lengths)} tokens, SDPA attention, logits at the last position only.\n\n"
            "| mode | pairs per call | pairs/s | vs card loop | TFLOP/s | share of bf16 peak |\n"
            "|---|---:|---:|---:|---:|---:|\n" + "\n".join(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=48)
    parser.add_argument("--batch-sizes", default="4,8")
    parser.add_argument("--gpu", action="store_true", help="also run the Qwen3-4B-shaped model on the GPU")
    parser.add_argument("--gpu-pairs", type=int, default=64)
    parser.add_argument("--gpu-batch-sizes", default="4,8,16")
    parser.add_argument("--gpu-tokens", type=int, default=1500, help="tokens per pass (each pair has two)")
    parser.add_argument("--peak-tflops", type=float, default=None, help="override the GPU's bf16 dense peak")
    parser.add_argument("--no-write", action="store_true", help="print only, leave docs/BENCHMARKS.md alone")
    args = parser.parse_args()

    sizes = [int(x) for x in args.batch_sizes.split(",")]
    body = ("### CPU\n\n"
            + cpu_section("Tiny model (the test fixture), short texts", TINY_CONFIG, args.pairs, (8, 20), sizes)
            + "\n\n"
            + cpu_section("Small model, longer texts", CPU_CONFIG, max(args.pairs // 4, 2), (60, 140), sizes)
            + "\n\n### GPU, Qwen3-4B shape, ~1.5k-token passes\n\n")
    command = "python bench/judge.py"
    if args.gpu:
        body += gpu_section(args.gpu_pairs, [int(x) for x in args.gpu_batch_sizes.split(",")], args.gpu_tokens,
                            args.peak_tflops)
        command += " --gpu"
    else:
        body += ("Not measured in this run: no GPU was available. `python bench/judge.py --gpu` times a "
                 "random-weight Qwen3-4B-shaped model in bf16 at ~1.5k-token passes and reports pairs/s against "
                 "the one-pair loop and the share of the GPU's bf16 peak (targets: >= 5x the one-pair loop, "
                 ">= 50% of the FLOP roof). No GPU figures are claimed here.")
    print(body)
    if not args.no_write:
        write_section("judge", "Pairwise judge: batched vs one pair at a time", command, body)


if __name__ == "__main__":
    main()
