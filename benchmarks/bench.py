"""Measures chatwithtech_magic against its references, as ratios in one run (issue 13).

    .venv/bin/python benchmarks/bench.py                   # prints a Markdown table for the README
    .venv/bin/python benchmarks/bench.py --install-peers   # first installs jupyter-ai-magics and
                                                           # langchain-openai into benchmarks/.venv-peers

1. Load: ``%load_ext chatwithtech_magic`` against ``%load_ext jupyter_ai_magics`` (from the peers'
   venv), each in a fresh process; only the magic is timed, not the interpreter's start.
2. First call: a fresh process's ``%load_ext`` and first streamed ``%%chat`` against ``import openai``
   and the same streamed call through the bare SDK; in wall time, and in the process's CPU time
   (which a busy neighbour on a shared machine disturbs less). Twice: the cell right after
   ``%load_ext``, and as a notebook runs it, ``%load_ext`` in a cell and the ``%%chat`` typed a second
   later (the background warm-up of ``warmup.py`` runs in between; its CPU time is counted).
   ``--only first-call`` measures these two rows alone, to repeat them on a busy machine.
3. Steady state: per-call time over many calls in one warm process, non-streamed and streamed.
4. Long streams: a 40,000-chunk answer through ``%%chat`` against the SDK's ``Stream``, in fresh
   processes (the call alone is timed, ``openai`` already imported) and warm, with peak memory; and
   warm, the same answer as Responses events (``--api responses``) against ``client.responses.create(stream=True)``.
5. Connections: TCP connections opened by ten streamed cells, and by ten bare SDK streams.
6. Display traffic: bytes of the display bundles published for a 140 KB answer streamed over
   ~10 s, against the answer's size; updates; and how long after the server wrote the first
   token the first text was published. At the default ``render_interval`` and at 0.

The servers are ``tests/support/openai_server.py`` on 127.0.0.1: in separate processes for the
timed parts (a server thread would share the client's GIL), in this process for counting.
Medians of repeated runs, alternated so that a noisy neighbour slows both sides alike.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

PEERS = os.path.join(ROOT, "benchmarks", ".venv-peers")
PEER_PYTHON = os.path.join(PEERS, "bin", "python")
KEY = "sk-bench-000000000000000000000000"
MODEL = "gpt-4.1-mini"
QUESTION = "What is a list comprehension?"
SHORT_REPLY = "A list comprehension builds a list from an iterable in one expression."
LONG_CHUNKS = 40_000  # the server splits its reply into 4-character chunks

SERVE = """
import sys
sys.path.insert(0, {root!r})
from tests.support.openai_server import OpenAIServer
server = OpenAIServer().start()
server.reply = {reply}
print(server.base_url, flush=True)
sys.stdin.read()
server.stop()
"""

LOAD = """
import json, time
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
start = time.perf_counter()
shell.run_line_magic("load_ext", {extension!r})
print(json.dumps({{"s": time.perf_counter() - start}}))
"""

OURS_CALL = """
import json, resource, time
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
shell = InteractiveShell.instance()
{prepare}
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start, cpu = time.perf_counter(), time.process_time()
{load}
with capture_output() as cap:
    shell.run_cell_magic("chat", "--no-history -m {model}", {question!r})
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
text = cap.outputs[-1].data["text/plain"]
assert len(text) >= {expect}, text[:200]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"s": elapsed, "cpu": cpu, "rss_mb": peak / 1024, "growth_mb": (peak - rss) / 1024}}))
"""

SDK_CALL = """
import json, resource, time
{prepare}
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start, cpu = time.perf_counter(), time.process_time()
import openai
client = openai.OpenAI(max_retries=0)
stream = client.chat.completions.create(model={model!r}, messages=[{{"role": "user", "content": {question!r}}}],
                                        stream=True, stream_options={{"include_usage": True}})
text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
assert len(text) >= {expect}
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"s": elapsed, "cpu": cpu, "rss_mb": peak / 1024, "growth_mb": (peak - rss) / 1024}}))
"""


def child_env(base_url: str | None = None) -> dict:
    env = dict(os.environ, PYTHONPATH=ROOT, OPENAI_API_KEY=KEY, PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    if base_url:
        env["OPENAI_BASE_URL"] = base_url
    env.pop("CHATWITHTECH_CACHE", None)
    # As an installed package would: compiled once, not at every start (this machine sets PYTHONDONTWRITEBYTECODE).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "chatwithtech-bench-pycache")
    return env


def fresh(code: str, python: str = sys.executable, base_url: str | None = None) -> dict:
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, env=child_env(base_url), cwd="/tmp")
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def alternate(codes: dict, runs: int, **kwargs) -> dict:
    """Each code in a fresh process, ``runs`` times, alternating (the order reversed every other run);
    the list of results per name, in run order (so the n-th results of two names are a pair)."""
    results = {name: [] for name in codes}
    for code, python in codes.values():  # untimed: compiles .pyc files and fills the disk cache
        fresh(code, python, **kwargs)
    for run in range(runs):
        order = list(codes.items())
        for name, (code, python) in order if run % 2 == 0 else reversed(order):  # neither side always goes first
            results[name].append(fresh(code, python, **kwargs))
    return results


def median(results: list[dict], key: str = "s") -> float:
    return statistics.median(r[key] for r in results)


def paired(first, second, runs: int) -> tuple[float, float]:
    """Medians of both in this process, run alternately."""
    times = ([], [])
    for _ in range(runs):
        for fn, bucket in zip((first, second), times):
            start = time.perf_counter()
            fn()
            bucket.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


class Server:
    """A loopback server in its own process, answering every chat request with ``reply`` (an expression)."""

    def __init__(self, reply: str):
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVE.format(root=ROOT, reply=reply)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True,
        )
        self.base_url = self.process.stdout.readline().strip()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)


def install_peers() -> None:
    if not os.path.exists(PEER_PYTHON):
        subprocess.run([sys.executable, "-m", "venv", PEERS], check=True)
    subprocess.run([PEER_PYTHON, "-m", "pip", "install", "-q", "jupyter-ai-magics", "langchain-openai", "ipython"], check=True)


# -- the measurements --------------------------------------------------------------------------------


def measure_load(runs: int) -> dict:
    codes = {"ours": (LOAD.format(extension="chatwithtech_magic"), sys.executable)}
    if os.path.exists(PEER_PYTHON):
        codes["jupyter-ai"] = (LOAD.format(extension="jupyter_ai_magics"), PEER_PYTHON)
    return {name: median(results) for name, results in alternate(codes, runs).items()}


def measure_first_call(runs: int, base_url: str) -> dict:
    load = 'shell.run_line_magic("load_ext", "chatwithtech_magic")'
    ours = OURS_CALL.format(prepare="", load=load, model=MODEL, question=QUESTION, expect=len(SHORT_REPLY))
    sdk = SDK_CALL.format(prepare="", model=MODEL, question=QUESTION, expect=len(SHORT_REPLY))
    results = alternate({"ours": (ours, sys.executable), "sdk": (sdk, sys.executable)}, runs, base_url=base_url)
    return first_call_figures(results)


PAUSE = 1.0  # seconds between the cell with ``%load_ext`` and the first ``%%chat``: a user typing it


def measure_first_call_later(runs: int, base_url: str) -> dict:
    """The first call as a notebook runs it: ``%load_ext`` in a cell (``run_cell``, so IPython's
    ``post_run_cell`` starts the warm-up), then the first ``%%chat`` ``PAUSE`` seconds later. Wall time
    counts the loading cell and the ``%%chat`` cell, not the pause; CPU time counts the whole span, the
    background imports included. The SDK's side sleeps as long before its import and call."""
    load = ('shell.run_cell("%load_ext chatwithtech_magic")\n'
            "loaded = time.perf_counter() - start\n"
            f"time.sleep({PAUSE})\n"
            "start = time.perf_counter() - loaded")
    ours = OURS_CALL.format(prepare="", load=load, model=MODEL, question=QUESTION, expect=len(SHORT_REPLY))
    sdk = SDK_CALL.format(prepare=f"time.sleep({PAUSE})", model=MODEL, question=QUESTION, expect=len(SHORT_REPLY))
    results = alternate({"ours": (ours, sys.executable), "sdk": (sdk, sys.executable)}, runs, base_url=base_url)
    return first_call_figures(results)


def first_call_figures(results: dict) -> dict:
    """Medians of each side's wall and CPU time, and of the per-pair ratios (steadier on a busy machine)."""
    figures = {name: median(r) for name, r in results.items()} | {f"{name}_cpu": median(r, "cpu") for name, r in results.items()}
    pairs = list(zip(results["ours"], results["sdk"]))
    figures["ratio"] = statistics.median(o["s"] / s["s"] for o, s in pairs)
    figures["cpu_ratio"] = statistics.median(o["cpu"] / s["cpu"] for o, s in pairs)
    return figures


def measure_long_fresh(runs: int, base_url: str) -> dict:
    expect = LONG_CHUNKS * 4
    prepare = 'import openai\nshell.run_line_magic("load_ext", "chatwithtech_magic")'
    ours = OURS_CALL.format(prepare=prepare, load="", model=MODEL, question=QUESTION, expect=expect)
    sdk = SDK_CALL.format(prepare="import openai", model=MODEL, question=QUESTION, expect=expect)
    results = alternate({"ours": (ours, sys.executable), "sdk": (sdk, sys.executable)}, runs, base_url=base_url)
    return {name: (median(r), median(r, "rss_mb"), median(r, "growth_mb")) for name, r in results.items()}


def warm_shell():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "chatwithtech_magic")
    return shell


def measure_warm(shell, short_url: str, long_url: str, runs: int) -> dict:
    import openai
    from IPython.utils.capture import capture_output

    messages = [{"role": "user", "content": QUESTION}]
    figures = {}
    for name, url, stream, repeat in (("steady", short_url, False, runs * 40), ("steady_stream", short_url, True, runs * 40),
                                       ("long_warm", long_url, True, max(3, runs // 2)),
                                       ("long_warm_responses", long_url, True, max(3, runs // 2))):
        client = openai.OpenAI(api_key=KEY, base_url=url, max_retries=0)
        shell.run_line_magic("config", f"ChatMagics.base_url = {url!r}")
        responses = name.endswith("_responses")  # the Responses API: its events against the SDK's own stream of them
        line = f"--no-history -m {MODEL}" + ("" if stream else " --no-stream") + (" --api responses" if responses else "")

        def bare():
            if responses:
                events = client.responses.create(model=MODEL, input=QUESTION, stream=True, store=False)
                "".join(e.delta for e in events if e.type == "response.output_text.delta")
            elif stream:
                chunks = client.chat.completions.create(model=MODEL, messages=messages, stream=True,
                                                        stream_options={"include_usage": True})
                "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
            else:
                client.chat.completions.create(model=MODEL, messages=messages).choices[0].message.content

        def magic():
            with capture_output():
                shell.run_cell_magic("chat", line, QUESTION)

        bare(), magic()  # warm both
        figures[name] = paired(bare, magic, repeat)
        client.close()
    return figures


def measure_connections(shell) -> dict:
    import openai
    from IPython.utils.capture import capture_output
    from tests.support.openai_server import OpenAIServer

    with OpenAIServer() as server:
        shell.run_line_magic("config", f"ChatMagics.base_url = {server.base_url!r}")
        opened = server.connections_opened
        for n in range(10):
            with capture_output():
                shell.run_cell_magic("chat", f"--no-history -m {MODEL}", f"Question {n}")
        ours = server.connections_opened - opened
        client = openai.OpenAI(api_key=KEY, base_url=server.base_url, max_retries=0)
        opened = server.connections_opened
        for n in range(10):
            for _ in client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "Hi"}], stream=True):
                pass
        sdk = server.connections_opened - opened
        client.close()
    return {"ours": ours, "sdk": sdk}


def measure_traffic(shell, interval: float, answer_chars: int = 140_000, piece: int = 40, seconds: float = 10.0) -> dict:
    """A ``answer_chars`` answer in ``piece``-character chunks, streamed over about ``seconds``."""
    from IPython.utils.capture import capture_output
    from tests.support import openai_server
    from tests.support.openai_server import OpenAIServer, Reply

    first_token: list[float] = []
    write_event = openai_server._Handler._event

    def stamped(handler, obj):  # when the server writes the first piece of text
        if not first_token and isinstance(obj, dict) and any((c.get("delta") or {}).get("content") for c in obj.get("choices") or []):
            first_token.append(time.perf_counter())
        return write_event(handler, obj)

    chunks = [f"{n:07d} " + "x" * (piece - 9) + "\n" for n in range(answer_chars // piece)]
    answer = "".join(chunks)
    published: list[tuple[float, int]] = []
    openai_server._Handler._event = stamped
    try:
        with OpenAIServer() as server:
            server.script(Reply(chunks=chunks, delay=seconds / len(chunks)))
            shell.run_line_magic("config", f"ChatMagics.base_url = {server.base_url!r}")
            shell.run_line_magic("config", f"ChatMagics.render_interval = {interval}")
            with capture_output() as cap:
                publisher = shell.display_pub
                publish = publisher.publish

                def counted(data, *args, **kwargs):
                    published.append((time.perf_counter(), len(json.dumps(data, ensure_ascii=False).encode())))
                    return publish(data, *args, **kwargs)

                publisher.publish = counted
                start = time.perf_counter()
                shell.run_cell_magic("chat", f"--no-history -m {MODEL}", QUESTION)
                elapsed = time.perf_counter() - start
            assert cap.outputs[-1].data["text/plain"] == answer
    finally:
        openai_server._Handler._event = write_event
        shell.run_line_magic("config", "ChatMagics.render_interval = 0.1")
    sent = sum(size for _, size in published)
    return {
        "answer_kb": len(answer.encode()) / 1000,
        "sent_mb": sent / 1e6,
        "ratio": sent / len(answer.encode()),
        "updates": len(published),
        "first_text_ms": (published[0][0] - first_token[0]) * 1000,
        "seconds": elapsed,
    }


def print_first_call(runs: int) -> None:
    """The two first-call rows alone: the rows to repeat when a neighbour is busy."""
    server = Server(repr(SHORT_REPLY))
    try:
        rows = (("first streamed call, fresh process, right after `%load_ext`", measure_first_call(runs, server.base_url)),
                (f"first streamed call, fresh process, {PAUSE:.0f} s after the `%load_ext` cell",
                 measure_first_call_later(runs, server.base_url)))
    finally:
        server.close()
    for label, first in rows:
        print(f"{label}: SDK {first['sdk'] * 1000:.1f} ms, ours {first['ours'] * 1000:.1f} ms, "
              f"{first['ours'] / first['sdk']:.2f}× (median of the pairs' ratios {first['ratio']:.2f}×); CPU time: SDK "
              f"{first['sdk_cpu'] * 1000:.1f} ms, ours {first['ours_cpu'] * 1000:.1f} ms, {first['ours_cpu'] / first['sdk_cpu']:.2f}× "
              f"({first['cpu_ratio']:.2f}×); {runs} pairs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--install-peers", action="store_true", help="install jupyter-ai-magics and langchain-openai into benchmarks/.venv-peers first")
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "9")), help="fresh processes per figure (default 9)")
    parser.add_argument("--only", choices=("first-call",), help="first-call: only the two first-call rows, with the medians "
                        "of the pairs' ratios too (to repeat them on a busy machine)")
    args = parser.parse_args()
    if args.install_peers:
        install_peers()
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "CHATWITHTECH_CACHE"):
        os.environ.pop(name, None)
    os.environ["OPENAI_API_KEY"] = KEY
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    runs = args.runs
    if args.only == "first-call":
        return print_first_call(runs)

    load = measure_load(runs)
    short, long = Server(repr(SHORT_REPLY)), Server(f"'word' * {LONG_CHUNKS}")
    try:
        first = measure_first_call(runs, short.base_url)
        later = measure_first_call_later(runs, short.base_url)
        long_fresh = measure_long_fresh(max(3, runs // 2), long.base_url)
        shell = warm_shell()
        warm = measure_warm(shell, short.base_url, long.base_url, runs)
    finally:
        short.close()
        long.close()
    connections = measure_connections(shell)
    traffic = {interval: measure_traffic(shell, interval) for interval in (0.1, 0)}

    import openai

    ms = lambda s: f"{s * 1000:.1f} ms"  # noqa: E731
    sec = lambda s: f"{s:.2f} s"  # noqa: E731
    rows = [("what", "reference", "chatwithtech_magic", "result", "target")]
    if "jupyter-ai" in load:
        rows.append(("`%load_ext`, fresh process", f"jupyter_ai_magics {ms(load['jupyter-ai'])}", ms(load["ours"]),
                     f"{load['jupyter-ai'] / load['ours']:.0f}× faster", "≥ 50× and < 20 ms"))
    else:
        rows.append(("`%load_ext`, fresh process", "jupyter-ai not installed (`--install-peers`)", ms(load["ours"]), "", "< 20 ms"))
    rows.append(("first streamed call, fresh process (incl. `import openai`), right after `%load_ext`", f"SDK {ms(first['sdk'])}",
                 ms(first["ours"]), f"{first['ours'] / first['sdk']:.2f}× (CPU time {first['ours_cpu'] / first['sdk_cpu']:.2f}×)",
                 "≤ 1.00×"))
    rows.append((f"first streamed call, fresh process (incl. `import openai`), {PAUSE:.0f} s after the `%load_ext` cell",
                 f"SDK {ms(later['sdk'])}", ms(later["ours"]),
                 f"{later['ours'] / later['sdk']:.2f}× (CPU time {later['ours_cpu'] / later['sdk_cpu']:.2f}×)", "≤ 1.00×"))
    for key, label in (("steady", "steady call, non-streamed"), ("steady_stream", "steady call, streamed")):
        sdk, ours = warm[key]
        rows.append((label, f"SDK {ms(sdk)}", ms(ours), f"{(ours - sdk) * 1000:+.2f} ms per call", "≤ 1 ms"))
    sdk, ours = long_fresh["sdk"], long_fresh["ours"]
    rows.append((f"{LONG_CHUNKS:,}-chunk stream, fresh process", f"SDK {sec(sdk[0])}, peak RSS {sdk[1]:.0f} MB (+{sdk[2]:.0f} MB in the call)",
                 f"{sec(ours[0])}, peak RSS {ours[1]:.0f} MB (+{ours[2]:.0f} MB in the call)", f"{ours[0] / sdk[0]:.2f}×", "≤ 1.10×"))
    sdk, ours = warm["long_warm"]
    rows.append((f"{LONG_CHUNKS:,}-chunk stream, warm process", f"SDK {sec(sdk)}", sec(ours), f"{ours / sdk:.2f}×", "≤ 1.10×"))
    sdk, ours = warm["long_warm_responses"]
    rows.append((f"{LONG_CHUNKS:,}-event Responses stream, warm process", f"SDK `responses.create(stream=True)` {sec(sdk)}",
                 sec(ours), f"{ours / sdk:.2f}×", "≤ 1.10×"))
    rows.append(("TCP connections, ten streamed cells", f"SDK {connections['sdk']}", str(connections["ours"]),
                 "", "1 (SDK: 10)"))
    for interval, t in traffic.items():
        rows.append((f"display traffic, {t['answer_kb']:.0f} KB answer over {t['seconds']:.0f} s, `render_interval = {interval}`",
                     "", f"{t['sent_mb']:.2f} MB in {t['updates']} updates; first text {t['first_text_ms']:.1f} ms after the first token",
                     f"{t['ratio']:.1f}× the answer", "≤ 20×, first text ≤ 200 ms"))
    for row in rows:
        print("| " + " | ".join(row) + " |")
        if row is rows[0]:
            print("|" + "---|" * len(row))
    print(f"\n{runs} fresh processes per load and first-call figure, {max(3, runs // 2)} per fresh long stream, medians; "
          f"Python {sys.version.split()[0]}, openai {openai.__version__}, {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
