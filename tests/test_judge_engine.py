"""The pairwise judge's engine: the formulas by hand, then the mechanics on tiny real models."""
from __future__ import annotations

import json
import math
from dataclasses import fields

import pytest

from tests.judge_fixtures import always_a_judge, build_tokenizer, tiny_judge  # noqa: F401 (fixtures)
from toolkit.judge import JUDGEMENT_FIELDS, Judgement, JudgeError, Pair, combine, load_judge, renormalise
from toolkit.judge.cache import JudgementCache
from toolkit.judge.engine import DEFAULT_MODEL, Judge, default_model
from toolkit.judge.prompt import SYSTEM_PROMPT, render, truncate, user_message, verdict_token_ids

PAIRS = [
    Pair("Write a short poem about the sea.", "The sea was calm and the moon was bright.",
         "Waves broke on the rocks; a gull cried.", "p1"),
    Pair("Explain why the sky is blue.", "Sunlight scatters off molecules in the air.",
         "Blue light scatters the most, so the sky looks blue to us at noon.", "p2"),
    Pair("Tell a story.", "Once upon a time", "There was a dragon who lived by the sea and sang.", "p3"),
    Pair("Évaluer la qualité", "très bien, naïve café", "non", "p4"),
]


class Recording:
    """Wraps a real backend and records the prompts it was sent."""

    def __init__(self, backend):
        self.inner, self.calls = backend, []
        self.name, self.model, self.device, self.tokenizer = backend.name, backend.model, backend.device, backend.tokenizer

    def logprobs(self, prompts):
        self.calls.append(list(prompts))
        return self.inner.logprobs(prompts)


@pytest.fixture(scope="module")
def tiny(tiny_judge):
    """On the CPU in float32 whatever the machine: the mechanics below compare numbers to 1e-6."""
    return load_judge(str(tiny_judge), device="cpu")


# --- formulas, by hand ----------------------------------------------------------------------------

def test_renormalise_by_hand():
    p_a, p_b, mass = renormalise(math.log(0.3), math.log(0.1))
    assert p_a == pytest.approx(0.75) and p_b == pytest.approx(0.25) and mass == pytest.approx(0.4)
    assert p_a + p_b == 1.0
    # B larger: P(B) = 0.6 / 0.8
    assert renormalise(math.log(0.2), math.log(0.6))[:2] == pytest.approx((0.25, 0.75))
    # a token outside the top k counts as -inf: the other one takes P = 1, the mass is its own
    assert renormalise(None, math.log(0.1)) == pytest.approx((0.0, 1.0, 0.1))
    assert renormalise(None, None) == (None, None, 0.0)


def test_combine_consistent_and_inconsistent():
    # pass 1: P(A) = .75 (text 1); pass 2: P(B) = .6/.8 = .75 (text 1 again) -> consistent, P = .75
    row = combine((math.log(0.3), math.log(0.1)), (math.log(0.2), math.log(0.6)))
    assert row["p_text1_better"] == pytest.approx(0.75) and row["consistent"] is True
    assert row["verdict"] == "text_1" and row["valid"] is True
    assert (row["pass1_mass"], row["pass2_mass"]) == pytest.approx((0.4, 0.8))
    # pass 2: P(B) = .2/.8 = .25 -> each pass prefers the text in position A: P = (.75 + .25) / 2
    row = combine((math.log(0.3), math.log(0.1)), (math.log(0.6), math.log(0.2)))
    assert row["p_text1_better"] == 0.5 and row["consistent"] is False and row["verdict"] == "tie"
    # text 2 preferred in both passes: P = (.25 + .25) / 2
    row = combine((math.log(0.1), math.log(0.3)), (math.log(0.3), math.log(0.1)))
    assert row["p_text1_better"] == pytest.approx(0.25) and row["consistent"] is True and row["verdict"] == "text_2"


def test_combine_invalid_when_a_pass_has_neither_token():
    row = combine((None, None), (math.log(0.2), math.log(0.6)))
    assert row["valid"] is False and row["p_text1_better"] is None and row["verdict"] == "invalid"
    assert row["consistent"] is None and row["pass1_mass"] == 0.0
    assert row["pass2_p_b"] == pytest.approx(0.75)  # the pass that worked is still recorded


def test_judgement_field_names_are_the_agreed_ones():
    agreed = ["pair_id", "p_text1_better", "pass1_p_a", "pass1_p_b", "pass2_p_a", "pass2_p_b", "pass1_mass",
              "pass2_mass", "consistent", "valid", "verdict", "truncated_1", "truncated_2", "model", "backend",
              "template_hash", "latency_s", "device", "error"]
    assert JUDGEMENT_FIELDS == agreed == [f.name for f in fields(Judgement)]
    assert [f.name for f in fields(Pair)] == ["instruction", "text_1", "text_2", "pair_id"]


# --- prompt ---------------------------------------------------------------------------------------

def test_user_message_is_the_cards_json():
    message = user_message("Écris", "réponse « A »", 'say "B"')
    assert message == '{"instruction": "Écris", "A": "réponse « A »", "B": "say \\"B\\""}'
    assert json.loads(message) == {"instruction": "Écris", "A": "réponse « A »", "B": 'say "B"'}


def test_render_switches_thinking_off_through_the_template():
    tokenizer = build_tokenizer()
    prompt = render(tokenizer, "Write", "one", "two")
    assert prompt.startswith(f"<|im_start|>system\n{SYSTEM_PROMPT}<|im_end|>\n<|im_start|>user\n")
    assert user_message("Write", "one", "two") in prompt
    assert prompt.endswith("<|im_start|>assistant\n<think>\n\n</think>\n\n")
    # the same template without the flag opens a thinking block: the flag is what closes it
    thinking = tokenizer.apply_chat_template([{"role": "user", "content": "x"}], tokenize=False,
                                             add_generation_prompt=True)
    assert thinking.endswith("<think>\n")


def test_system_prompt_is_the_cards():
    # copied by hand from the model card (DESIGN.md section 6), independently of the module's constant
    card = ("You are a specialized AI assistant tasked with evaluating two responses to a given instruction. "
            "Your purpose is to fairly compare the quality of each response and select the better one. The "
            "user provides the instruction and the two responses A and B. Evaluate based on accuracy, clarity, "
            "and originality, considering repetitive or unoriginal responses as lower quality.")
    assert SYSTEM_PROMPT == card


def test_verdict_tokens_must_be_single_tokens_without_a_space():
    tokenizer = build_tokenizer()
    id_a, id_b = verdict_token_ids(tokenizer)
    assert tokenizer.decode([id_a]) == "A" and tokenizer.decode([id_b]) == "B" and id_a != id_b
    # a byte-level tokenizer that adds a prefix space encodes "A" as " A": refused with a message
    from tokenizers import pre_tokenizers
    spaced = build_tokenizer()
    spaced.backend_tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
    with pytest.raises(JudgeError, match="one token"):
        verdict_token_ids(spaced)


def test_truncate_by_characters_and_tokens():
    assert truncate("abcdef", max_chars=3) == ("abc", True)
    assert truncate("abc", max_chars=3) == ("abc", False)
    assert truncate("abc") == ("abc", False)
    tokenizer = build_tokenizer()
    text = "The sea was calm and the moon was bright over the water."
    ids = tokenizer.encode(text, add_special_tokens=False)
    cut, flag = truncate(text, max_tokens=3, tokenizer=tokenizer)
    assert flag and cut == tokenizer.decode(ids[:3]) and len(cut) < len(text)
    assert truncate(text, max_tokens=len(ids), tokenizer=tokenizer) == (text, False)
    with pytest.raises(JudgeError):
        truncate(text, max_tokens=3)


# --- mechanics on the tiny random Qwen3 ---------------------------------------------------------------

def test_both_orders_go_in_one_batch(tiny):
    recording = Recording(tiny.backend)
    judge = Judge(recording, batch_size=8)
    judge.judge(PAIRS[:2])
    assert len(recording.calls) == 1 and len(recording.calls[0]) == 4
    pass1, pass2 = recording.calls[0][:2], recording.calls[0][2:]
    # batches go longest first, so match prompts to pairs by content
    for prompt_1 in pass1:
        pair = next(p for p in PAIRS if user_message(p.instruction, p.text_1, p.text_2) in prompt_1)
        assert any(user_message(pair.instruction, pair.text_2, pair.text_1) in p for p in pass2)


def test_swapping_the_texts_gives_one_minus_p(tiny):
    forward = tiny.judge(PAIRS)
    backward = tiny.judge([Pair(p.instruction, p.text_2, p.text_1, p.pair_id) for p in PAIRS])
    for a, b in zip(forward, backward):
        assert a.valid and b.valid
        assert b.p_text1_better == pytest.approx(1 - a.p_text1_better, abs=1e-6)
        assert b.pass1_p_a == pytest.approx(a.pass2_p_a, abs=1e-6)
    # the random model is not indifferent: verdicts differ from pair to pair
    assert max(j.p_text1_better for j in forward) - min(j.p_text1_better for j in forward) > 1e-3


def test_batched_equals_single(tiny):
    batched = tiny.judge(PAIRS, batch_size=len(PAIRS))
    single = [tiny.judge([pair], batch_size=1)[0] for pair in PAIRS]
    for b, s in zip(batched, single):
        assert b.pair_id == s.pair_id
        for name in ("p_text1_better", "pass1_p_a", "pass2_p_a", "pass1_mass", "pass2_mass"):
            assert getattr(b, name) == pytest.approx(getattr(s, name), rel=1e-5, abs=1e-7), name
        assert b.consistent == s.consistent and b.verdict == s.verdict


def test_judgement_records_what_produced_it(tiny, tiny_judge):
    [j] = tiny.judge(PAIRS[:1])
    assert j.pair_id == "p1" and j.model == str(tiny_judge) and j.backend == "transformers"
    assert j.device == "cpu" and j.error is None and j.latency_s > 0  # the fixture asks for the CPU
    assert len(j.template_hash) == 12 and j.template_hash == tiny.template_hash
    assert 0 < j.pass1_mass < 1 and j.pass1_p_a + j.pass1_p_b == pytest.approx(1.0)
    assert j.verdict == ("text_1" if j.p_text1_better > 0.5 else "text_2")


def test_truncation_flags_and_what_the_model_sees(tiny_judge):
    recording = Recording(load_judge(str(tiny_judge)).backend)
    judge = Judge(recording, max_chars=10)
    long_pair = Pair("Tell a story.", "Once upon a time there was a dragon.", "Short one", "t")
    [j] = judge.judge([long_pair])
    assert j.truncated_1 is True and j.truncated_2 is False
    assert user_message("Tell a story.", "Once upon ", "Short one") in recording.calls[0][0]
    assert "dragon" not in recording.calls[0][0]
    [plain] = Judge(recording).judge([long_pair])
    assert not plain.truncated_1 and plain.p_text1_better != j.p_text1_better


def test_cache_skips_what_is_done(tiny, tmp_path):
    path = tmp_path / "cache.jsonl"
    first = tiny.judge(PAIRS, cache=JudgementCache(path))
    recording = Recording(tiny.backend)
    again = Judge(recording).judge([Pair(p.instruction, p.text_1, p.text_2, f"new-{p.pair_id}") for p in PAIRS],
                                   cache=JudgementCache(path))
    assert recording.calls == []
    assert [j.p_text1_better for j in again] == [j.p_text1_better for j in first]
    assert [j.pair_id for j in again] == [f"new-{p.pair_id}" for p in PAIRS]
    # a different length limit changes what the model sees: judged again
    Judge(recording, max_chars=5).judge(PAIRS[:1], cache=JudgementCache(path))
    assert len(recording.calls) == 1
    # a torn last line (a killed run) is skipped, the rest is kept
    with path.open("a") as out:
        out.write('{"key": "abc", "p_text1')
    assert len(JudgementCache(path)) == len(PAIRS) + 1


def test_on_batch_reports_progress(tiny):
    seen = []
    tiny.judge(PAIRS, batch_size=3, on_batch=lambda done, cached: seen.append((done, cached)))
    assert seen == [(0, 0), (3, 0), (4, 0)]


# --- the hand-set model that always says A ----------------------------------------------------------------

def test_always_a_model_averages_to_exactly_half(always_a_judge):
    judge = load_judge(str(always_a_judge))
    for j in judge.judge(PAIRS, batch_size=2):
        expected = 1 / (1 + math.exp(-10))  # logits A = 20, B = 10
        assert j.pass1_p_a == pytest.approx(expected) and j.pass2_p_a == pytest.approx(expected)
        assert j.p_text1_better == 0.5
        assert j.consistent is False and j.verdict == "tie" and j.valid
        assert j.pass1_mass > 0.999 and not j.low_mass


# --- loading ----------------------------------------------------------------------------------------

def test_default_model_reads_the_environment(monkeypatch):
    monkeypatch.delenv("JUDGE_MODEL", raising=False)
    assert default_model() == DEFAULT_MODEL == "selfhypnosis-ai/Qwen3.5-4B-Creative-Writing-Judge"
    monkeypatch.setenv("JUDGE_MODEL", "/models/judge")
    assert default_model() == "/models/judge"


def test_hub_model_offline_fails_fast_with_a_way_out(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(JudgeError, match="offline") as raised:
        load_judge("selfhypnosis-ai/Qwen3.5-4B-Creative-Writing-Judge")
    assert "JUDGE_MODEL" in str(raised.value) and "local folder" in str(raised.value)


def test_missing_folder_and_folder_without_weights(tmp_path):
    with pytest.raises(JudgeError, match="does not exist.*JUDGE_MODEL"):
        load_judge(str(tmp_path / "nowhere"))
    build_tokenizer().save_pretrained(tmp_path / "tokenizer-only")
    with pytest.raises(JudgeError, match="could not load the judge model.*JUDGE_MODEL"):
        load_judge(str(tmp_path / "tokenizer-only"))


def test_default_device_follows_the_machine(tiny_judge):
    """Without --device: the GPU in bfloat16 where torch sees one, else the CPU in float32."""
    import torch

    judge = load_judge(str(tiny_judge))
    if torch.cuda.is_available():
        assert judge.device.startswith("cuda") and judge.backend.net.dtype == torch.bfloat16
    else:
        assert judge.device == "cpu" and judge.backend.net.dtype == torch.float32


def test_unknown_backend_and_bad_batch_size(tiny_judge):
    with pytest.raises(JudgeError, match="unknown judge backend"):
        load_judge(str(tiny_judge), backend="onnx")
    with pytest.raises(JudgeError, match="batch size"):
        load_judge(str(tiny_judge), batch_size=0)


def test_missing_vllm_says_how_to_get_it(tiny_judge):
    import importlib.util

    if importlib.util.find_spec("vllm") is not None:
        pytest.skip("vLLM is installed here (a CUDA machine with the gpu extra): it is not missing")
    # vLLM needs CUDA; without it (or without the gpu extra) the message says how to get it
    with pytest.raises(JudgeError, match=r"\.\[gpu\]"):
        load_judge(str(tiny_judge), backend="vllm")
