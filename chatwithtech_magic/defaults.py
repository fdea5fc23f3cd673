"""Default settings, as plain values: the magics read them at load time without importing the core.

A setting's default is written once, in the table of settings.py; the names here read it from there.
"""

from .settings import CACHE_MODES, REASONING_EFFORTS, WINDOW_RANGE, default  # noqa: F401 (re-exported)

DEFAULT_MODEL = default("model")
DEFAULT_TEMPERATURE = default("temperature")
DEFAULT_WINDOW = default("window")  # window memory: past exchanges sent with each request
DEFAULT_CONNECTION = default("connection")
DEFAULT_RENDER_INTERVAL = default("render_interval")
DEFAULT_TIMEOUT = default("timeout")  # the longest silence allowed once the server has the request
DEFAULT_RETRIES = default("retries")
DEFAULT_MAX_RETRY_WAIT = default("max_retry_wait")
DEFAULT_RETRY_INITIAL_DELAY = default("retry_initial_delay")
DEFAULT_MAX_VALUE_CHARS = default("max_value_chars")
DEFAULT_CACHE = default("cache")
DEFAULT_BASE_URL = "https://api.openai.com/v1"
# Reaching the server is quick or it is not going to happen: a dead or unreachable address fails in this.
CONNECT_TIMEOUT = 10.0
# Listing the account's models (GET /models) is quick or broken: its own, shorter limit.
LIST_TIMEOUT = 60.0
