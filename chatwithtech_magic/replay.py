"""Recorded answers: a JSON-lines file beside the notebook, so "Run all" need not pay again.

A cell's request is looked up by a digest of everything that shapes its answer: the
endpoint, the model, the messages actually sent (window memory, system prompt and
interpolated values included) and the effective parameters. Transport details (streaming,
timeouts, headers) do not shape the answer and are left out, so ``--no-stream`` replays too.

The file is append-only and written a whole line at a time under an exclusive ``flock``,
so two kernels recording at once never interleave. Every line carries its format version,
so a future key format can skip old lines instead of misreading them (pycachy's users hit
exactly that). A damaged line is skipped with a note; nothing here raises on file contents.
No key, Authorization header or credential-bearing URL part is ever written.

Works without IPython; the session calls ``begin`` once the request is built (``wire.dialect.Outgoing``),
then ``CellReplay.look_up`` before sending (``Lookup.final``: nothing is sent) and ``CellReplay.keep`` after.
The key is the digest of the body the dialect writes for the prompt, so it covers every part sent.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from . import clock, errors, safe_file
from .masking import redact
from .defaults import CACHE_MODES as MODES
from .i18n import Text
from .saved_names import FINISH_REASON
from .urls import mask_url
from .wire.dialect import Outgoing
from .wire.json_object import as_attributes

ENV = "CHATWITHTECH_CACHE"
FILENAME = "chatwithtech_answers.jsonl"
FORMAT = 1
# A recorded answer is text: a file or a line larger than this is not one we wrote (or not one to
# load into memory at each cell). Over the file cap: refused with a panel; a line over its cap: damaged.
MAX_FILE_BYTES = 64 << 20
MAX_LINE_BYTES = 8 << 20

# Parameters that change how an answer travels, not what it says. Headers may carry secrets.
TRANSPORT = frozenset({"stream", "stream_options", "timeout", "extra_headers", "extra_query"})

NOTES = {
    "damaged": Text(
        "{file}: line {lines} is damaged and was skipped",
        "{file}：第 {lines} 行已损坏，已跳过",
    ),
    "damaged_many": Text(
        "{file}: lines {lines} are damaged and were skipped",
        "{file}：第 {lines} 行已损坏，已跳过",
    ),
    "newer": Text(
        "{file}: line {lines} was written by a newer chatwithtech_magic and was skipped",
        "{file}：第 {lines} 行由更新版本的 chatwithtech_magic 写入，已跳过",
    ),
    "not_written": Text(
        "the answer could not be recorded in {file}: {reason}",
        "无法将回答录制到 {file}：{reason}",
    ),
    "replayed": Text("replayed · recorded {date} · $0", "重放 · 录制于 {date} · $0"),
}


class BadMode(ValueError):
    """``CHATWITHTECH_CACHE`` (or a setting) names no known mode."""


def effective_mode(setting: str, environ=None) -> tuple[str, str]:
    """The mode in force and where it comes from: ``(mode, "env" | "config")``.

    The environment variable wins over ``ChatMagics.cache``: it is how CI says "never send
    anything" without editing the notebooks it runs.
    """
    environ = os.environ if environ is None else environ
    value = (environ.get(ENV) or "").strip().lower()
    if value:
        if value not in MODES:
            raise BadMode(value)
        return value, "env"
    return setting, "config"


def looks_up(mode: str, refresh: bool) -> bool:
    return mode == "replay" or (mode == "auto" and not refresh)


def records(mode: str, refresh: bool) -> bool:
    """``record`` and ``auto`` keep new answers; ``--refresh`` asks again and keeps the answer in any mode but replay."""
    return mode in ("auto", "record") or (refresh and mode != "replay")


# -- the lookup key ------------------------------------------------------------------
def endpoint(base_url: str) -> str:
    """``scheme://host[:port]/path``: no user:password part, no query (gateways put keys there), and
    the path as ``urls.mask_url`` shows it (``…/sk-…/v1`` -> ``…/…/v1``): one masking rule for every URL
    shown or stored."""
    parts = urlsplit(base_url or "")
    host = (parts.hostname or "").lower()
    try:
        if parts.port:
            host = f"{host}:{parts.port}"
    except ValueError:  # a port that is not a number: the request will fail and say so, the key needn't
        host = parts.netloc.rpartition("@")[2].lower()
    return mask_url(f"{parts.scheme.lower()}://{host}{parts.path.rstrip('/')}")


def _canonical(value):
    """JSON-ready, with 1.0 and 1 the same (``-t 1`` parses as a float, a setting may be an int)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return str(value)


def shaping(params: dict) -> dict:
    """The parameters that shape the answer: everything sent except transport details."""
    return {k: _canonical(v) for k, v in params.items() if k not in TRANSPORT}


def request_key(base_url: str, body: dict) -> str:
    """The lookup key of a request whose body is ``body`` (as its dialect writes it) to ``base_url``."""
    payload = [FORMAT, endpoint(base_url), shaping(body)]
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- entries -------------------------------------------------------------------------
def key_of(base_url: str, outgoing: Outgoing) -> str:
    return request_key(base_url, outgoing.body())


# The file's names for fields named otherwise here.
_FILE_NAMES = {"reason": FINISH_REASON}
_OUR_NAMES = {file: ours for ours, file in _FILE_NAMES.items()}


@dataclass
class RecordedAnswer:
    """One line of the file."""

    # In the order a reader of the file (or of its diff) wants them; the key and the answer are required.
    key: str
    recorded: str = ""  # ISO 8601, UTC
    endpoint: str = ""
    model: str = ""  # the model asked for
    params: dict = field(default_factory=dict)  # the shaping settings other than the model (no prompt), for readers
    prompt: str = ""  # this cell's text as sent; the key also covers the earlier conversation
    answer: str = ""
    thinking: str = ""  # the model's thinking, shown apart on replay as it was live (written only when there is some)
    answered_by: str = ""  # the model that answered, as the server named it
    reason: str | None = "stop"  # why the answer ended, as the wire said it
    usage: dict | None = None
    cost_usd: float | None = None  # estimated, when the model's price is known
    request_id: str | None = None
    also: list[str] = field(default_factory=list)  # keys of the same request before the server's adaptations

    def line(self) -> str:
        """One JSON line; readable (non-ASCII kept as is) and with a stable field order for diffs."""
        line = {"format": FORMAT, **{_FILE_NAMES.get(k, k): v for k, v in self.__dict__.items()}}
        if not line["also"]:
            del line["also"]
        if not line["thinking"]:
            del line["thinking"]
        return json.dumps(line, ensure_ascii=False) + "\n"

    @property
    def date(self) -> str:
        return self.recorded[:10]

    @classmethod
    def parse(cls, data: dict) -> "RecordedAnswer | None":
        """The entry on one line; None when a field has the wrong type (a hand edit, a bad merge)."""
        data = {_OUR_NAMES.get(k, k): v for k, v in data.items()}
        also, optional = data.get("also", []), (data.get("reason"), data.get("request_id"))
        if not (
            isinstance(data.get("key"), str) and isinstance(data.get("answer"), str)
            and all(isinstance(data.get(name, ""), str) for name in _TEXT_FIELDS)
            and isinstance(also, list) and all(isinstance(key, str) for key in also)
            and all(value is None or isinstance(value, str) for value in optional)
            and isinstance(data.get("usage"), (dict, type(None))) and isinstance(data.get("params", {}), dict)
        ):
            return None
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})


_TEXT_FIELDS = ("recorded", "endpoint", "model", "prompt", "answered_by", "thinking")


@dataclass
class Contents:
    entries: dict[str, RecordedAnswer] = field(default_factory=dict)  # by key and by each ``also`` key; the newest wins
    damaged: list[int] = field(default_factory=list)  # line numbers
    newer: list[int] = field(default_factory=list)


def parse(data: bytes) -> Contents:
    contents = Contents()
    for number, raw in enumerate(data.split(b"\n"), 1):
        if len(raw) > MAX_LINE_BYTES:
            contents.damaged.append(number)
            continue
        if not raw.strip():
            continue
        try:
            line = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            contents.damaged.append(number)
            continue
        version = line.get("format") if isinstance(line, dict) else None
        if type(version) is int and version > FORMAT:
            contents.newer.append(number)
            continue
        entry = RecordedAnswer.parse(line) if type(version) is int and version == FORMAT else None
        if entry is None:
            contents.damaged.append(number)
            continue
        for key in (entry.key, *entry.also):
            contents.entries[key] = entry
    return contents


def _numbers(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:5])
    return shown + (" …" if len(lines) > 5 else "")


def note(name: str, **values) -> Text:
    """A note with its values filled in, still in both languages: the view picks one."""
    return NOTES[name].fill(**values)


def file_notes(contents: Contents, file: str) -> list[Text]:
    notes = []
    if contents.damaged:
        name = "damaged" if len(contents.damaged) == 1 else "damaged_many"
        notes.append(note(name, file=file, lines=_numbers(contents.damaged)))
    if contents.newer:
        notes.append(note("newer", file=file, lines=_numbers(contents.newer)))
    return notes


def usage_dict(usage) -> dict | None:
    if usage is None:
        return None
    dump = getattr(usage, "model_dump", None)  # the SDK's pydantic models and JsonObject both have it
    data = usage if isinstance(usage, dict) else dump() if dump else {k: v for k, v in vars(usage).items() if not k.startswith("_")}
    return _canonical({k: usage_dict(v) if isinstance(v, dict) else v for k, v in data.items() if v is not None})


def usage_object(data: dict | None):
    """The recorded usage in the shape a live answer has (attribute access, nested details)."""
    return as_attributes(data) if isinstance(data, dict) else None  # as a live answer's usage is read


def _now() -> str:
    return clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")


# -- the file ------------------------------------------------------------------------
class AnswerStore:
    """The recorded answers of the kernel's working directory (the notebook's folder in Jupyter)."""

    def __init__(self, path: str | os.PathLike | None = None):
        self._path = path
        self._cache: tuple[tuple, Contents] | None = None
        self._noted: set[tuple] = set()  # file states whose damage was already reported
        self.unsafe: safe_file.UnsafeFile | None = None  # the file is a link, not a regular file, or too large

    @property
    def path(self) -> Path:
        # Resolved at each use: %cd moves the kernel, and the file follows the notebook's folder.
        return Path(self._path) if self._path is not None else Path.cwd() / FILENAME

    def read(self) -> tuple[Contents, tuple | None]:
        """The file's entries, read only from a regular file reached without a link, with a size cap
        (safe_file.py); otherwise none, and ``unsafe`` says why."""
        path = self.path
        self.unsafe = None
        try:
            fd = safe_file.open_regular(path)
        except safe_file.UnsafeFile as unsafe:
            self.unsafe = unsafe
            return Contents(), None
        except OSError:
            return Contents(), None
        try:
            stat = os.fstat(fd)
            signature = (str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)
            if self._cache is None or self._cache[0] != signature:
                if stat.st_size > MAX_FILE_BYTES:
                    raise safe_file.UnsafeFile(safe_file.REASONS["too_large"].fill(limit=MAX_FILE_BYTES >> 20))
                try:
                    contents = parse(safe_file.read_capped(fd, MAX_FILE_BYTES))
                except safe_file.UnsafeFile:
                    raise
                except OSError:
                    contents = Contents()
                self._cache = (signature, contents)
        except safe_file.UnsafeFile as unsafe:
            self.unsafe = unsafe
            return Contents(), None
        finally:
            os.close(fd)
        return self._cache[1], signature

    def refusal(self) -> errors.Failure | None:
        """The panel for a file that may be neither read nor written (a link, a device, too large), or None."""
        self.read()
        if self.unsafe is None:
            return None
        reason = self.unsafe.reason
        failure = errors.Failure(errors.kind_named(errors.Kind.ANSWERS_FILE_UNSAFE), summary=self.path.name, message=reason.en)
        failure.facts = {"message": reason}  # in the panel's language
        return failure

    def find(self, key: str) -> RecordedAnswer | None:
        """The newest entry for ``key``."""
        return self.read()[0].entries.get(key)

    def damage_notes(self) -> list[Text]:
        """Notes about damaged or newer lines: once per state of the file, not under every answer."""
        contents, signature = self.read()
        if signature is None or signature in self._noted:
            return []
        self._noted.add(signature)
        return file_notes(contents, self.path.name)

    def append(self, entry: RecordedAnswer) -> None:
        """Append one whole line, atomically with respect to other writers; OSError when it can't."""
        data = entry.line().encode("utf-8")
        # Never through a link, never into a device or a pipe: ``UnsafeFile`` (an OSError) instead.
        fd = safe_file.open_regular(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            _lock(fd)
            # A writer that died mid-line left no newline: start on a fresh line, so only that line is damaged.
            size = os.fstat(fd).st_size
            if size and hasattr(os, "pread") and os.pread(fd, 1, size - 1) != b"\n":
                data = b"\n" + data
            while data:
                data = data[os.write(fd, data):]
        finally:
            os.close(fd)  # closing releases the lock


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows: O_APPEND writes of one line still land whole in practice
        return
    fcntl.flock(fd, fcntl.LOCK_EX)


# -- one cell ------------------------------------------------------------------------
@dataclass(frozen=True)
class Lookup:
    """What the file says before sending: ``final`` when no request may be sent (a recorded answer in
    ``found``, replay mode's miss or an unsafe file in ``failure``); notes for the answer."""

    final: bool = False
    found: RecordedAnswer | None = None
    failure: errors.Failure | None = None
    notes: tuple = ()


@dataclass
class CellReplay:
    """One request's dealings with the file: looked up before sending, kept after answering."""

    store: AnswerStore
    mode: str
    refresh: bool
    base_url: str = field(repr=False)  # may hold user:password@ or ?api-key=: never in a repr
    keys: list[str]  # what this kernel would send now, then what a fresh kernel would (nothing learned yet)

    def look_up(self, prompt: str) -> Lookup:
        refusal = self.store.refusal()
        if refusal is not None:
            return Lookup(True, failure=refusal)
        if not looks_up(self.mode, self.refresh):
            return Lookup()
        entry = next(filter(None, map(self.store.find, self.keys)), None)
        if entry is None and self.mode == "replay":
            return Lookup(True, failure=miss(prompt, self.store.path))  # damage notes wait for an answer to sit under
        notes = tuple(self.store.damage_notes())
        if entry is None:
            return Lookup(notes=notes)  # auto: asked live, and recorded
        # Shown by the session's ``view.finish``, in the view a live answer uses, in one render as a
        # ``--no-stream`` answer is: nbval, which ignores display updates, then sees the whole answer.
        return Lookup(True, found=entry, notes=notes)

    def keep(self, answer, sent: Outgoing, secrets: tuple = (), request_id: str | None = None) -> list[Text]:
        """Keep a complete answer; a note for the answer when the file can't be written."""
        if not records(self.mode, self.refresh) or answer.failure is not None or not answer.complete:
            return []
        key = key_of(self.base_url, sent)
        # Sent after the server's adaptations (a refused parameter dropped, a context trimmed), the
        # request's key differs from the ones looked up before sending: all of them find this answer.
        also = [k for k in dict.fromkeys(self.keys) if k != key]
        contents, _ = self.store.read()
        known = contents.entries.get(key)
        if known is not None and known.answer == answer.text and not self.refresh:
            return []  # the same answer again: no churn in the file's history
        entry = RecordedAnswer(
            key=key,
            also=also,
            recorded=_now(),
            endpoint=endpoint(self.base_url),
            model=sent.model,
            answered_by=answer.model,
            prompt=redact(answer.prompt, *secrets),
            params={k: v for k, v in shaping(sent.settings).items() if k != "model"},
            answer=redact(answer.text, *secrets),
            thinking=redact(answer.thinking, *secrets),
            reason=answer.reason,
            usage=usage_dict(answer.usage),
            cost_usd=float(answer.cost) if answer.cost is not None else None,  # spend.py priced it
            request_id=request_id,
        )
        try:
            self.store.append(entry)
        except OSError as exc:
            return [note("not_written", file=self.store.path.name, reason=exc.strerror or exc)]
        return []


def miss(prompt: str, path: Path) -> errors.Failure:
    """The replay-mode panel: which cell has no recorded answer, and in which file."""
    first = next((line.strip() for line in prompt.splitlines() if line.strip()), "")
    excerpt = first if len(first) <= 60 else first[:59] + "…"
    return errors.Failure(errors.kind_named(errors.Kind.REPLAY_MISS), message=excerpt, summary=path.name)


def replayed_text(answer, language: str = "en") -> str | None:
    """"replayed · recorded 2026-11-29 · $0" for a replayed answer, else None: the tail of the line under it."""
    date = answer.replayed
    return NOTES["replayed"].get(language, date=date) if date else None


def begin(store: AnswerStore | None, request, base_url: str, *outgoing: Outgoing) -> CellReplay | None:
    """The cell's ``CellReplay``, or None when recorded answers play no part (mode off, no --refresh).

    ``outgoing``: the request this kernel would send now, then the one a fresh kernel would
    send (before it learns what the endpoint refuses). CI replays in a fresh kernel, so an
    answer recorded after this kernel learned something must still be found there.
    """
    mode, refresh = request.cache, request.refresh
    if store is None or (mode == "off" and not refresh):
        return None
    keys = list(dict.fromkeys(key_of(base_url, o) for o in outgoing))
    return CellReplay(store, mode, refresh, base_url, keys)
