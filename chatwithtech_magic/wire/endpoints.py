"""Which endpoint a model lives on: Chat Completions or Responses.

The model table (scripts/refresh_models.py, from the SDK's ``ChatModel`` and ``ResponsesModel``
lists) names the models only ``/responses`` serves. The lists are hints; the reliable signal is the
refusal itself: OpenAI answers Chat Completions for such a model with 404 "This model is only
supported in v1/responses and not in v1/chat/completions.", a gateway in front of Copilot with 400
``unsupported_api_for_model``. A model the table doesn't know starts on Chat Completions (every
gateway speaks it); after that refusal it is sent once on ``/responses``, and the session keeps the
lesson for that endpoint and model (``Lessons``).
"""

from __future__ import annotations

import re

from ..i18n import Text

CHAT, RESPONSES = "chat", "responses"
APIS = ("auto", CHAT, RESPONSES)

SWITCHED = Text(
    "{model} answers only on the Responses API: asked there instead (remembered for this session)",
    "{model} 只在 Responses API 上回答：已改用该接口（本会话内记住）",
)
NO_RESPONSES = Text(
    "this server has no /responses endpoint: {model} can't be asked here",
    "此服务器没有 /responses 端点：无法在此询问 {model}",
)

_ONLY_RESPONSES = re.compile(r"only supported in v1/responses", re.I)


def table_api(model: str) -> str:
    """``responses`` for a model the table lists as Responses-only (a dated or prefixed name too), else ``chat``."""
    from ..models import table

    only = table().get("responses_only") or ()
    if not only or not model:
        return CHAT
    bare = model.strip().lower().rsplit("/", 1)[-1]
    undated = re.sub(r"-(\d{4}-\d{2}-\d{2}|\d{4})$", "", bare)
    return RESPONSES if model in only or bare in only or undated in only else CHAT


def wrong_endpoint(failure) -> bool:
    """Whether ``failure`` is Chat Completions refusing a model that lives on ``/responses``."""
    if failure is None:
        return False
    if failure.status == 400 and failure.code == "unsupported_api_for_model":
        return True
    return failure.status in (400, 404) and bool(_ONLY_RESPONSES.search(failure.message or ""))


def path_missing(failure) -> bool:
    """Whether ``/responses`` itself is missing on this server (a 404 on the path, not about a model)."""
    if failure is None:
        return False
    from ..catalog import Kind

    return failure.kind.kind == Kind.PATH_NOT_FOUND or failure.status == 405  # not a 404 about the model


class Lessons:
    """(endpoint, model) -> the API it answered on after Chat Completions refused it, for this session."""

    def __init__(self):
        self._learned: dict[tuple[str, str], str] = {}

    def get(self, endpoint: str, model: str) -> str | None:
        return self._learned.get((endpoint, model))

    def learn(self, endpoint: str, model: str, api: str) -> None:
        self._learned[(endpoint, model)] = api
