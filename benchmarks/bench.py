"""Measures what chatwithtech_magic adds on top of the bare openai SDK.

    .venv/bin/python benchmarks/bench.py            # prints a Markdown table for the README

1. Load time: ``%load_ext chatwithtech_magic`` in a fresh process, against ``import openai``.
2. Per-call overhead: ``%%chat --no-stream`` against ``client.chat.completions.create``,
   both to the same loopback server (tests/support/openai_server.py) with the same reply.
3. Streaming cost: a 2,000-chunk streamed answer through ``%%chat`` (rendered as
   Markdown, throttled) against iterating the SDK's stream directly.

Medians of repeated runs; the machine is shared, so read the figures as rough.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.support.openai_server import OpenAIServer, Reply  # noqa: E402

KEY = "sk-bench-000000000000000000000000"

LOAD_EXT = """
import time
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
start = time.perf_counter()
shell.run_line_magic("load_ext", "chatwithtech_magic")
print(time.perf_counter() - start)
"""
IMPORT_OPENAI = """
import time
start = time.perf_counter()
import openai
print(time.perf_counter() - start)
"""


def fresh_process(code: str, runs: int) -> float:
    times = []
    env = dict(os.environ, PYTHONPATH=ROOT)
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def paired(first, second, runs: int) -> tuple[float, float]:
    """Medians of both, run alternately so that a noisy neighbour slows both alike."""
    times = ([], [])
    for _ in range(runs):
        for fn, bucket in zip((first, second), times):
            start = time.perf_counter()
            fn()
            bucket.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def main() -> None:
    runs = int(os.environ.get("BENCH_RUNS", "15"))
    load_ext = fresh_process(LOAD_EXT, runs)
    import_openai = fresh_process(IMPORT_OPENAI, runs)

    with OpenAIServer() as server:
        os.environ["OPENAI_BASE_URL"] = server.base_url
        os.environ["OPENAI_API_KEY"] = KEY
        os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
        import openai
        from IPython.core.interactiveshell import InteractiveShell
        from IPython.utils.capture import capture_output

        client = openai.OpenAI(api_key=KEY, base_url=server.base_url, max_retries=0)
        shell = InteractiveShell.instance()
        shell.run_line_magic("load_ext", "chatwithtech_magic")
        question = "What is a list comprehension?"

        def bare_call():
            client.chat.completions.create(model="gpt-4", messages=[{"role": "user", "content": question}])

        def magic_call():
            with capture_output():
                shell.run_cell_magic("chat", "--no-stream --no-history -m gpt-4", question)

        server.reply = "A list comprehension builds a list from an iterable in one expression."
        for warm in (bare_call, magic_call):
            warm()
        bare, magic = paired(bare_call, magic_call, runs * 4)

        long_chunks = [f"word{i} " for i in range(2000)]

        def bare_stream():
            server.script(Reply(chunks=long_chunks))
            stream = client.chat.completions.create(
                model="gpt-4", messages=[{"role": "user", "content": question}], stream=True,
                stream_options={"include_usage": True},
            )
            "".join(c.choices[0].delta.content or "" for c in stream if c.choices)

        renders = []

        def magic_stream():
            server.script(Reply(chunks=long_chunks))
            with capture_output() as cap:
                shell.run_cell_magic("chat", "--no-history -m gpt-4", question)
            renders.append(len(cap.outputs))

        bare_streamed, magic_streamed = paired(bare_stream, magic_stream, runs)

    ms = lambda s: f"{s * 1000:.1f} ms"  # noqa: E731
    print("| what | bare openai SDK | chatwithtech_magic | difference |")
    print("|---|---|---|---|")
    print(f"| load (`import openai` vs `%load_ext`) | {ms(import_openai)} | {ms(load_ext)} | {ms(load_ext - import_openai)} |")
    print(f"| one non-streamed call, loopback server | {ms(bare)} | {ms(magic)} | {ms(magic - bare)} per call |")
    print(f"| 2,000-chunk streamed answer | {ms(bare_streamed)} | {ms(magic_streamed)} | {ms(magic_streamed - bare_streamed)} |")
    print(f"\nrenders per streamed answer: {statistics.median(renders):.0f} (throttled to one per 0.1 s, plus the final one); "
          f"{runs} runs each, medians; Python {sys.version.split()[0]}, openai {openai.__version__}")


if __name__ == "__main__":
    main()
