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
import re
from dataclasses import dataclass, field

from .i18n import Text

SERVICE = "chatwithtech_magic"
from .defaults import DEFAULT_BASE_URL, DEFAULT_CONNECTION  # noqa: F401 (re-exported)

SOURCE_SESSION = "session"
SOURCE_KEYRING = "keyring"
SOURCE_ENVIRONMENT = "environment"
SOURCE_LABELS = {
    SOURCE_KEYRING: Text("the keyring", "密钥环"),
    SOURCE_SESSION: Text("this session only", "仅本会话"),
    SOURCE_ENVIRONMENT: Text("the environment (OPENAI_API_KEY)", "环境变量（OPENAI_API_KEY）"),
}

# Key-shaped strings, masked wherever server text is shown (some servers echo keys).
_KEY_SHAPED = re.compile(r"\bsk-[A-Za-z0-9_\-*]{6,}")


def mask(key: str | None) -> str:
    """``sk-…1234``: enough to tell keys apart, never enough to use one."""
    if not key:
        return ""
    prefix = "sk-" if key.startswith("sk-") else ""
    return f"{prefix}…{key[-4:]}" if len(key) > 8 else "…"


def redact(text: str, *secrets: str | None) -> str:
    """``text`` with every known secret and every key-shaped string masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, mask(secret))
    return _KEY_SHAPED.sub(lambda m: mask(m.group(0).replace("*", "")) or "sk-…", text)


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


@dataclass(frozen=True)
class StoreOutcome:
    """What a save or delete did: ``persisted`` is False when only this session holds the key."""

    persisted: bool
    problem: str | None = None


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

    def __repr__(self) -> str:
        return f"CredentialStore(service={self.service!r}, session_connections={sorted(self.session)!r})"

    # -- the keyring boundary: anything may raise here --------------------------
    def _keyring_call(self, method: str, *args):
        try:
            import keyring
            from keyring.backends import fail

            if isinstance(keyring.get_keyring(), fail.Keyring):
                self.keyring_problem = "no keyring backend is installed on this machine"
                raise KeyringUnavailable(self.keyring_problem)
            result = getattr(keyring, method)(self.service, *args)
        except KeyringUnavailable:
            raise
        except Exception as exc:  # locked, missing, misconfigured: all mean "not available"
            if type(exc).__name__ == "PasswordDeleteError":
                self.keyring_problem = None
                return None
            self.keyring_problem = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
            raise KeyringUnavailable(self.keyring_problem) from None
        self.keyring_problem = None
        return result

    def keyring_backend(self) -> str:
        try:
            import keyring

            return type(keyring.get_keyring()).__module__ + "." + type(keyring.get_keyring()).__name__
        except Exception as exc:
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
        try:
            entry = json.loads(raw)
        except ValueError:  # an entry written by hand holding just the key
            entry = {"api_key": raw}
        return entry if isinstance(entry, dict) else None

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
            return StoreOutcome(persisted=False, problem=str(exc))
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
            return StoreOutcome(persisted=had_session, problem=str(exc))
        return StoreOutcome(persisted=True)


class KeyringUnavailable(Exception):
    """The OS keyring can't be used right now; the message says why, without secrets."""
