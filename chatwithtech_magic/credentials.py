"""Where the API key comes from: this session, the OS keyring, or the environment.

Keys live in the ``keyring`` library under one service name, one entry per named
connection, as JSON holding the key, organization, project and base URL. Every
keyring call is guarded: a headless machine (the fail backend), a locked keyring
or a broken ``PYTHON_KEYRING_BACKEND`` can raise anything, and then the key is
held in memory for this session only -- never written to a plaintext file.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace

from .i18n import Text
from .masking import mask, redact

SERVICE = "chatwithtech_magic"
from .defaults import DEFAULT_BASE_URL, DEFAULT_CONNECTION  # noqa: F401 (re-exported)

SOURCE_SESSION = "session"
SOURCE_KEYRING = "keyring"
SOURCE_ENVIRONMENT = "environment"
SOURCE_LABELS = {
    SOURCE_KEYRING: Text("the keyring", "密钥环"),
    SOURCE_SESSION: Text("this session only", "仅本会话"),
    # Said without brackets: it stands inside "(from …)" in panels, and brackets must not nest.
    SOURCE_ENVIRONMENT: Text("the OPENAI_API_KEY environment variable", "环境变量 OPENAI_API_KEY"),
}

# A backend that raises KeyboardInterrupt: its unlock prompt (a desktop dialog, a terminal question) was
# cancelled, or Ctrl-C stopped a call waiting on it. Neither is the user stopping the cell's work.
CANCELLED = Text("the keyring's unlock prompt was cancelled", "密钥环的解锁提示已取消")

def key_problem(key: str) -> str | None:
    """What makes ``key`` unusable (a space, line break or non-ASCII character inside), or None.

    Surrounding whitespace is not a problem: it is trimmed. The answer names the character
    and its position, never the key.
    """
    import unicodedata

    found = header_character(key.strip())
    if found is None:
        return None
    position, char = found
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}{' ' + name if name else ''}, character {position}"


def header_character(text: str) -> tuple[int, str] | None:
    """The first character of ``text`` an HTTP header can't carry (1-based position), or None:
    non-ASCII, control or space. Keys, organization and project IDs all go into headers."""
    for position, char in enumerate(text, 1):
        if not char.isascii() or not char.isprintable() or char.isspace():
            return position, char
    return None


@dataclass(frozen=True)
class Credentials:
    api_key: str = field(repr=False)
    organization: str | None = None
    project: str | None = None
    base_url: str | None = None
    source: str = SOURCE_SESSION
    connection: str = DEFAULT_CONNECTION

    @property
    def masked_key(self) -> str:
        return mask(self.api_key)

    def __repr__(self) -> str:
        return (
            f"Credentials(connection={self.connection!r}, key={self.masked_key!r}, "
            f"organization={self.organization!r}, source={self.source!r})"
        )


def usable_key(credentials: Credentials) -> tuple[Credentials, str | None]:
    """The credentials with the key's surrounding whitespace removed, and what else is wrong with it.

    A key with a line break or space around it (common in environment variables) is used
    trimmed. One with a space, control or non-ASCII character inside (a typographic dash
    pasted from a document) can't go into an HTTP header: the SDK would raise a
    ``UnicodeEncodeError`` traceback, or an ``APIConnectionError`` that reads like a network
    failure and is retried. The problem names the character, never the key.
    """
    key = credentials.api_key.strip()
    if key != credentials.api_key:
        credentials = replace(credentials, api_key=key)
    found = header_character(key)
    return credentials, (f"U+{ord(found[1]):04X}" if found else None)


@dataclass(frozen=True)
class StoreOutcome:
    """What a save or delete did: ``persisted`` is False when only this session holds the key."""

    persisted: bool
    problem: str | None = None
    reason: Text | None = None  # ``problem`` in the user's language, when we know it


def _env(environ, *names: str) -> str | None:
    for name in names:
        value = environ.get(name)
        if value:
            return value
    return None


class CredentialStore:
    def __init__(self, service: str = SERVICE, environ=None):
        self.service = service
        self.environ = os.environ if environ is None else environ
        self.session: dict[str, dict] = {}
        self.keyring_problem: str | None = None
        self.keyring_reason: Text | None = None  # the same, bilingual

    def __repr__(self) -> str:
        return f"CredentialStore(service={self.service!r}, session_connections={sorted(self.session)!r})"

    # -- the keyring boundary: anything may raise here --------------------------
    def _keyring_call(self, method: str, *args):
        from .keyring_check import unsafe_reason, stores_in_clear

        try:
            import keyring

            backend = keyring.get_keyring()
            reason = unsafe_reason(backend, self.environ)
            # A plaintext backend is never written to or read from; deleting from it only helps.
            if reason is not None and not (method == "delete_password" and stores_in_clear(backend)):
                self._unavailable(reason.en, reason)
            result = getattr(keyring, method)(self.service, *args)
        except KeyringUnavailable:
            raise
        except KeyboardInterrupt:  # every keyring call: a cancelled unlock prompt is "not available", not a traceback
            self._unavailable(CANCELLED.en, CANCELLED)
        except Exception as exc:  # locked, missing, misconfigured: all mean "not available"
            if type(exc).__name__ == "PasswordDeleteError":
                self.keyring_problem = self.keyring_reason = None
                return None
            # The backend's own text can quote what it stores (the JSON with the key): masked.
            secrets = [json.loads(a).get("api_key") for a in args[1:2] if _is_entry(a)]
            detail = redact(f"{type(exc).__name__}: {exc}".strip().rstrip(":"), *secrets)[:300]
            self._unavailable(detail)
        self.keyring_problem = self.keyring_reason = None
        return result

    def _unavailable(self, problem: str, reason: Text | None = None):
        self.keyring_problem, self.keyring_reason = problem, reason or Text(problem, problem)
        raise KeyringUnavailable(problem)

    def keyring_available(self) -> Text | None:
        """Why a key saved now would be held for this session only, or None (asked before anyone types one)."""
        from .keyring_check import unsafe_reason

        try:
            import keyring

            reason = unsafe_reason(keyring.get_keyring(), self.environ)
        except KeyboardInterrupt:
            return CANCELLED
        except Exception as exc:
            detail = redact(f"{type(exc).__name__}: {exc}")[:300]
            return Text(detail, detail)
        return reason or self.keyring_reason

    def keyring_backend(self) -> str:
        try:
            import keyring

            backend = keyring.get_keyring()
            return type(backend).__module__ + "." + type(backend).__name__
        except (Exception, KeyboardInterrupt) as exc:
            return f"unavailable ({type(exc).__name__})"

    # -- resolution: session, then keyring, then environment --------------------
    def resolve(self, connection: str = DEFAULT_CONNECTION) -> Credentials | None:
        env_org = _env(self.environ, "OPENAI_ORG_ID", "OPENAI_ORGANIZATION")
        env_project = _env(self.environ, "OPENAI_PROJECT_ID")
        entry, source = self.session.get(connection), SOURCE_SESSION
        if entry is None:
            entry, source = self._stored(connection), SOURCE_KEYRING
        if entry is None and connection == DEFAULT_CONNECTION:
            key = _env(self.environ, "OPENAI_API_KEY")
            if key:
                entry, source = {"api_key": key}, SOURCE_ENVIRONMENT
        if not entry or not entry.get("api_key"):
            return None
        return Credentials(
            api_key=entry["api_key"],
            organization=entry.get("organization") or env_org,
            project=entry.get("project") or env_project,
            base_url=entry.get("base_url") or None,
            source=source,
            connection=connection,
        )

    def _stored(self, connection: str) -> dict | None:
        try:
            raw = self._keyring_call("get_password", connection)
        except KeyringUnavailable:
            return None
        if not raw:
            return None
        if not isinstance(raw, str):
            return None  # a backend that returns bytes or an object: not an entry of ours
        try:
            entry = json.loads(raw)
        except ValueError:  # an entry written by hand holding just the key
            entry = {"api_key": raw}
        if not isinstance(entry, dict):
            return None
        # Fields of the wrong type (an entry edited by hand, another tool's JSON) are ignored: a number
        # as the key, or a list as the organization, would become a traceback far from here.
        return {name: value for name, value in entry.items() if isinstance(value, str)}

    # -- changes -----------------------------------------------------------------
    def save(
        self,
        connection: str,
        api_key: str,
        organization: str | None = None,
        project: str | None = None,
        base_url: str | None = None,
    ) -> StoreOutcome:
        entry = {
            "api_key": api_key.strip(),
            "organization": (organization or "").strip() or None,
            "project": (project or "").strip() or None,
            "base_url": (base_url or "").strip() or None,
        }
        try:
            self._keyring_call("set_password", connection, json.dumps(entry))
        except KeyringUnavailable as exc:
            self.session[connection] = entry
            return StoreOutcome(persisted=False, problem=str(exc), reason=self.keyring_reason)
        if (self._stored(connection) or {}).get("api_key") != entry["api_key"]:
            # set worked but get fails (a keyring that locks between calls): the key would be lost
            # at once, so this session keeps it, and the user is told as for no keyring at all.
            self.session[connection] = entry
            return StoreOutcome(persisted=False, problem=self.keyring_problem or "the keyring did not return the key it stored",
                                reason=self.keyring_reason)
        self.session.pop(connection, None)
        return StoreOutcome(persisted=True)

    def save_or_keep(self, connection: str, api_key: str, organization=None, project=None, base_url=None) -> StoreOutcome | None:
        """Save; an empty ``api_key`` keeps the stored one and changes the rest. None: no key to keep."""
        if not api_key.strip():
            current = self.resolve(connection)
            if current is None or current.source == SOURCE_ENVIRONMENT:
                return None
            api_key = current.api_key
        return self.save(connection, api_key, organization, project, base_url)

    def delete(self, connection: str) -> StoreOutcome:
        had_session = self.session.pop(connection, None) is not None
        try:
            self._keyring_call("delete_password", connection)
        except KeyringUnavailable as exc:
            return StoreOutcome(persisted=had_session, problem=str(exc), reason=self.keyring_reason)
        return StoreOutcome(persisted=True)


def _is_entry(value) -> bool:
    try:
        return isinstance(value, str) and isinstance(json.loads(value), dict)
    except ValueError:
        return False


class KeyringUnavailable(Exception):
    """The OS keyring can't be used right now; the message says why, without secrets."""
