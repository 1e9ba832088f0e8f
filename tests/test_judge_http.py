"""The HTTP backend against a loopback OpenAI-compatible server serving the tiny model's real logprobs."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.judge_fixtures import tiny_judge  # noqa: F401 (fixture)
from toolkit.judge import JudgeError, Pair, load_judge
from toolkit.judge.backends.http import completions_url, parse_reply

PAIRS = [
    Pair("Write a short poem about the sea.", "The sea was calm.", "Waves broke on the rocks; a gull cried.", "a"),
    Pair("Explain why the sky is blue.", "Sunlight scatters off molecules.", "Blue light scatters most.", "b"),
    Pair("Tell a story.", "Once upon a time", "There was a dragon.", "c"),
]


class Server:
    """A /v1/completions server: top-k logprobs of the next token, as `vllm serve` returns them.

    `mode` changes its behaviour: "ok", "drop_ab" (A and B left out, as if outside the top k),
    "slow" (answers after `delay_s`), "not_json", "no_choices", "busy_once" (503, then ok).
    """

    def __init__(self, backend):
        self.backend, self.mode, self.delay_s, self.requests = backend, "ok", 2.0, []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append((self.path, body))
                status, reply = server.answer(self.path, body)
                payload = reply if isinstance(reply, bytes) else json.dumps(reply).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def answer(self, path, body):
        import torch

        if path != "/v1/completions":
            return 404, {"error": "not found"}
        if self.mode == "slow":
            time.sleep(self.delay_s)
        if self.mode == "not_json":
            return 200, b"<html>gateway</html>"
        if self.mode == "no_choices":
            return 200, {"object": "text_completion", "choices": []}
        if self.mode == "busy_once" and len(self.requests) == 1:
            return 503, {"error": "busy"}
        tokenizer = self.backend.tokenizer
        batch = self.backend.encode(body["prompt"])
        logprobs = self.backend.logprobs_of_ids(batch["input_ids"], batch["attention_mask"])
        k = min(int(body["logprobs"]), logprobs.shape[-1])
        choices = []
        for index, row in enumerate(logprobs):
            values, ids = torch.topk(row, k)
            top = {}
            for lp, token_id in zip(values.tolist(), ids.tolist()):
                text = tokenizer.decode([token_id])
                if self.mode == "drop_ab" and text in ("A", "B"):
                    continue
                top.setdefault(text, lp)
            first = next(iter(top))
            choices.append({"index": index, "text": first, "finish_reason": "length",
                            "logprobs": {"tokens": [first], "token_logprobs": [top[first]],
                                         "top_logprobs": [top], "text_offset": [0]}})
        return 200, {"id": "cmpl-test", "object": "text_completion", "model": body["model"], "choices": choices}

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def local(tiny_judge):
    return load_judge(str(tiny_judge))


@pytest.fixture()
def server(local):
    served = Server(local.backend)
    yield served
    served.close()


def http_judge(tiny_judge, server, **options):
    options = {"top_logprobs": 1000, "timeout_s": 10.0, "retries": 1, **options}
    return load_judge(str(tiny_judge), backend="http", base_url=server.url, served_model="judge", **options)


def test_http_matches_the_local_model(tiny_judge, server, local):
    judge = http_judge(tiny_judge, server)
    remote = judge.judge(PAIRS, batch_size=3)
    here = local.judge(PAIRS, batch_size=3)
    # one request carried both orders of all three pairs
    assert len(server.requests) == 1
    path, body = server.requests[0]
    assert len(body["prompt"]) == 6 and body["max_tokens"] == 1 and body["temperature"] == 0
    assert body["model"] == "judge" and body["logprobs"] == 1000
    assert body["prompt"][0].endswith("<think>\n\n</think>\n\n")
    for r, h in zip(remote, here):
        assert r.valid and r.backend == "http" and r.error is None and r.pair_id == h.pair_id
        assert r.p_text1_better == pytest.approx(h.p_text1_better, abs=1e-6)
        assert r.pass1_mass == pytest.approx(h.pass1_mass, rel=1e-5)


def test_tokens_outside_the_top_k_make_the_judgement_invalid(tiny_judge, server):
    server.mode = "drop_ab"
    judgements = http_judge(tiny_judge, server).judge(PAIRS[:2])
    for j in judgements:
        assert not j.valid and j.verdict == "invalid" and j.p_text1_better is None
        assert j.pass1_mass == 0.0 and j.error is None  # recorded as invalid, not an error, never 0.5


def test_timeout_is_retried_then_reported(tiny_judge, server):
    server.mode, server.delay_s = "slow", 1.5
    judge = http_judge(tiny_judge, server, timeout_s=0.3, retries=1)
    start = time.perf_counter()
    judgements = judge.judge(PAIRS[:2])
    assert time.perf_counter() - start < 5
    assert len(server.requests) == 2 and judge.backend.attempts == 2
    for j in judgements:
        assert not j.valid and j.p_text1_better is None and "timeout" in j.error


@pytest.mark.parametrize("mode", ["not_json", "no_choices"])
def test_malformed_reply_is_reported_without_retrying(tiny_judge, server, mode):
    server.mode = mode
    judge = http_judge(tiny_judge, server)
    [j] = judge.judge(PAIRS[:1])
    assert not j.valid and "malformed reply" in j.error and len(server.requests) == 1


def test_a_busy_server_is_retried(tiny_judge, server):
    server.mode = "busy_once"
    [j] = http_judge(tiny_judge, server).judge(PAIRS[:1])
    assert j.valid and len(server.requests) == 2


def test_parse_reply_and_url():
    reply = {"choices": [
        {"index": 1, "logprobs": {"top_logprobs": [{"B": -0.5, "x": -2.0}]}},
        {"index": 0, "logprobs": {"top_logprobs": [{"A": -0.1, "B": -3.0}]}},
    ]}
    assert parse_reply(reply, 2) == [(-0.1, -3.0), (None, -0.5)]
    with pytest.raises(JudgeError, match="malformed"):
        parse_reply(reply, 3)
    with pytest.raises(JudgeError, match="malformed"):
        parse_reply({"choices": [{"index": 0, "logprobs": None}]}, 1)
    assert completions_url("http://h:8000") == completions_url("http://h:8000/v1/") == "http://h:8000/v1/completions"


def test_http_needs_an_address(tiny_judge, monkeypatch):
    monkeypatch.delenv("JUDGE_BASE_URL", raising=False)
    with pytest.raises(JudgeError, match="base-url"):
        load_judge(str(tiny_judge), backend="http")
