"""Regenerate ``chatwithtech_magic/model_table.json`` from maintained sources.

    .venv/bin/python scripts/refresh_models.py          # write the table
    .venv/bin/python scripts/refresh_models.py --check  # say what changed upstream; exit 1 if anything did

Freshness is this check, not a test: the suite asserts what the table means (tests/test_models.py)
and runs on the table's own day (the root conftest pins the clock), so a new openai or genai-prices
release can't turn it red. CI runs the check and reports it without failing.

Where each fact comes from (nothing here is typed by hand that a kept library tracks):
- model ids and shutdown dates: the installed ``openai`` SDK, whose ``ChatModel`` literal lists
  the chat model ids and whose docstring says "Announced shutdown date: YYYY-MM-DD" per id;
- which endpoints a model takes: every ``ChatModel`` takes Chat Completions and Responses; the ids
  ``ResponsesModel`` adds (o3-pro, gpt-5.5-pro, the codex and deep-research models...) take only
  Responses (``responses_only``);
- context windows: ``genai-prices``' data (each model's match clauses cover aliases and snapshots);
- successors, reasoning families and largest outputs: the small ``CURATED`` data below, with
  the date it was last checked against OpenAI's model and deprecation pages.

Run it after upgrading ``openai`` or ``genai-prices``, then review the diff.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import typing
from pathlib import Path

TABLE = Path(__file__).resolve().parent.parent / "chatwithtech_magic" / "model_table.json"
FORMAT = 1

# -- curated facts (no maintained source has them) --------------------------------------------
CHECKED = "2026-11-29"
CURATED = {
    # Successors: OpenAI named gpt-4.1-mini for gpt-3.5-turbo; the rest follow the same tier
    # (small/cheap -> gpt-6-luna, general/flagship -> gpt-6-sol) once a model's shutdown is announced.
    "successors": {
        "gpt-3.5-turbo": "gpt-4.1-mini",
        "gpt-3.5-turbo-16k": "gpt-4.1-mini",
        "gpt-4": "gpt-4.1",
        "gpt-4-32k": "gpt-4.1",
        "gpt-4-1106-preview": "gpt-4.1",
        "gpt-4-turbo": "gpt-4.1",
        "gpt-4.1-mini": "gpt-6-luna",
        "gpt-4.1-nano": "gpt-6-luna",
        "gpt-4.1": "gpt-6-sol",
        "gpt-4o": "gpt-6-sol",
        "gpt-4o-mini": "gpt-6-luna",
        "gpt-5": "gpt-6-sol",
        "gpt-5-mini": "gpt-6-luna",
        "gpt-5-nano": "gpt-6-luna",
        "gpt-5.1": "gpt-6-sol",
        "gpt-5.4-nano": "gpt-6-luna",
        "o1": "gpt-6-sol",
        "o3": "gpt-6-sol",
        "o3-mini": "gpt-6-luna",
        "o4-mini": "gpt-6-luna",
    },
    "small_tier_successor": "gpt-6-luna",  # for any other retiring model whose name says mini/nano
    "general_successor": "gpt-6-sol",
    # Reasoning models take max_completion_tokens, refuse temperatures other than 1 (mostly)
    # and take reasoning_effort: the o-series, gpt-5 and later, except the non-reasoning chat aliases.
    "reasoning": r"^(o\d|gpt-[5-9])",
    "not_reasoning": r"chat-latest|search-preview|audio",
    # Largest answer in tokens, by family (first match wins; OpenAI's model pages).
    "max_output": [
        [r"^gpt-3\.5-turbo", 4096],
        [r"^gpt-4-32k", 32768],
        [r"^gpt-4-(1106|0125|turbo|vision)", 4096],
        [r"^gpt-4(-\d{4})?$", 8192],
        [r"^(gpt-4o|chatgpt-4o)", 16384],
        [r"^gpt-4\.1", 32768],
        [r"^(o1-mini|o1-preview)", 65536],
        [r"^o\d", 100000],
        [r"^gpt-[5-9]", 128000],
    ],
    # The inexpensive general models a fallback prefers, best first.
    "preferred": ["gpt-6-luna", "gpt-5.6-luna", "gpt-6.1-terra", "gpt-5.6-terra", "gpt-5.4-mini", "gpt-6-sol", "gpt-5.5"],
    "seed": ["gpt-4", "gpt-4-32k", "gpt-4-1106-preview", "gpt-3.5-turbo", "gpt-3.5-turbo-16k"],
    # Ids the SDK keeps only for compatibility: never offered.
    "skip": ["gpt-5.1-mini"],
}

_SHUTDOWN = re.compile(r"-\s+((?:\"[^\"]+\",?\s*)+):\s+Announced\s+shutdown\s+date:\s+(\d{4}-\d{2}-\d{2})", re.S)


def sdk_models() -> tuple[list[str], dict[str, str], str]:
    """Chat model ids, their shutdown dates and the SDK version, from the installed ``openai``."""
    import openai
    from openai.types.shared import chat_model

    ids = list(typing.get_args(chat_model.ChatModel))
    source = Path(chat_model.__file__).read_text()
    docstring = source.split('"""Deprecated values:', 1)[1] if "Deprecated values:" in source else ""
    dates = {}
    for names, date in _SHUTDOWN.findall(docstring):
        for name in re.findall(r"\"([^\"]+)\"", names):
            dates[name] = date
    return ids, dates, openai.__version__


def responses_only(chat_ids: list[str]) -> list[str]:
    """The ids the SDK's ``ResponsesModel`` lists beyond ``ChatModel``: models only /responses serves."""
    from openai.types.shared import responses_model

    names: list[str] = []
    for arg in typing.get_args(responses_model.ResponsesModel):
        names += [a for a in typing.get_args(arg) if isinstance(a, str)]
    return sorted({n for n in names if n not in set(chat_ids)})


def context_windows(names: list[str]) -> tuple[dict[str, int], str]:
    """Context windows from genai-prices, matched the way it matches usage to a model."""
    import genai_prices
    from genai_prices import data

    provider = next(p for p in data.providers if p.id == "openai")
    found = {}
    for name in names:
        for model in provider.models:
            if model.context_window and model.match.is_match(name):
                found[name] = model.context_window
                break
    return found, getattr(genai_prices, "__version__", "?")


def build(today: str) -> dict:
    ids, dates, sdk_version = sdk_models()
    only_responses = responses_only(ids)
    ids = [i for i in ids if i not in CURATED["skip"]]
    windows, prices_version = context_windows(ids)
    successors = CURATED["successors"]
    reasoning, not_reasoning = re.compile(CURATED["reasoning"]), re.compile(CURATED["not_reasoning"])
    models = {}
    for name in ids:
        entry = {
            "context_window": windows.get(name),
            "max_output": next((n for pattern, n in CURATED["max_output"] if re.search(pattern, name)), None),
            "reasoning": bool(reasoning.search(name)) and not not_reasoning.search(name),
            "shutdown": dates.get(name),
            "successor": None,
        }
        if entry["shutdown"]:
            entry["successor"] = successors.get(name) or successors.get(_undated(name)) or (
                CURATED["small_tier_successor"] if re.search(r"mini|nano", name) else CURATED["general_successor"]
            )
        if name in CURATED["seed"]:
            entry["seed"] = True
        models[name] = {k: v for k, v in entry.items() if v not in (None, False)}
    for name in models:  # every chain must end at a model alive today
        _live_end(name, models, today)
    return {
        "format": FORMAT,
        "generated": today,
        "sources": {
            "openai": f"openai {sdk_version}: ChatModel ids and 'Announced shutdown date' lines; ResponsesModel's other ids",
            "genai-prices": f"genai-prices {prices_version}: context windows",
            "curated": f"scripts/refresh_models.py CURATED, checked {CHECKED}: successors, reasoning families, max output",
        },
        "preferred": CURATED["preferred"],
        # For names the table does not list (a new snapshot, a gateway's "openai/gpt-7-mini").
        "families": {"reasoning": CURATED["reasoning"], "not_reasoning": CURATED["not_reasoning"]},
        "models": models,
        # Models Chat Completions refuses ("only supported in v1/responses"): asked on /responses (wire/endpoints.py).
        "responses_only": only_responses,
    }


def _undated(name: str) -> str:
    return re.sub(r"-(\d{4}-\d{2}-\d{2}|\d{4})$", "", name)


def _live_end(name: str, models: dict, today: str) -> str:
    seen = [name]
    while (models.get(name) or {}).get("shutdown", "9999") <= today:
        name = models[name].get("successor")
        if not name or name in seen or name not in models:
            raise SystemExit(f"the successor chain {' -> '.join(seen)} does not end at a live model")
        seen.append(name)
    return name


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="print what differs from the sources; exit 1 if anything does")
    parser.add_argument("--table", type=Path, default=TABLE, help="the table to write or check (default: the package's)")
    args = parser.parse_args(argv)
    table = build(_today())
    if args.check:
        old = json.loads(args.table.read_text()) if args.table.exists() else {}
        changes = differences(old, table)
        if not changes:
            print(f"model table is up to date with the installed sources (generated {old.get('generated')})")
            return 0
        print(f"model table differs from the installed sources ({len(changes)}); run scripts/refresh_models.py and review:")
        print("\n".join(f"  {line}" for line in changes))
        return 1
    args.table.write_text(json.dumps(table, indent=1, sort_keys=False) + "\n")
    print(f"wrote {args.table} ({len(table['models'])} models)")
    return 0


def differences(old: dict, new: dict) -> list[str]:
    """One line per fact that differs, ``generated`` aside: ``+ name`` (new upstream), ``- name`` (gone),
    ``name.field: old -> new``, ``sources.x: ...``."""
    lines = []
    for key in sorted(set(old) | set(new)):
        if key in ("generated", "models", "sources", "responses_only"):
            continue
        if old.get(key) != new.get(key):
            lines.append(f"{key}: {old.get(key)!r} -> {new.get(key)!r}")
    old_sources, new_sources = old.get("sources") or {}, new.get("sources") or {}
    for key in sorted(set(old_sources) | set(new_sources)):
        if old_sources.get(key) != new_sources.get(key):
            lines.append(f"sources.{key}: {old_sources.get(key)} -> {new_sources.get(key)}")
    old_only, new_only = set(old.get("responses_only") or ()), set(new.get("responses_only") or ())
    lines += [f"+ responses_only {name}" for name in sorted(new_only - old_only)]
    lines += [f"- responses_only {name}" for name in sorted(old_only - new_only)]
    old_models, new_models = old.get("models") or {}, new.get("models") or {}
    for name in sorted(set(old_models) | set(new_models)):
        if name not in old_models:
            lines.append(f"+ {name}")
        elif name not in new_models:
            lines.append(f"- {name}")
        else:
            for field in sorted(set(old_models[name]) | set(new_models[name])):
                before, after = old_models[name].get(field), new_models[name].get(field)
                if before != after:
                    lines.append(f"{name}.{field}: {before} -> {after}")
    return lines


def _today() -> str:
    """The refresh's date: the package's clock (CHATWITHTECH_NOW, else the system's) in UTC."""
    sys.path.insert(0, str(TABLE.parent.parent))
    from chatwithtech_magic import clock

    return clock.today().isoformat()


if __name__ == "__main__":
    sys.exit(main())
