"""Default settings, as plain values: the magics read them at load time without importing the core."""

# Current, inexpensive and general (genai-prices: the cheapest general model, 1,050,000-token window);
# a reasoning model, so no temperature is sent unless the user sets one. See model_table.json.
DEFAULT_MODEL = "gpt-6-luna"
DEFAULT_TEMPERATURE = 0.3  # the seed documentation's default, for models that take a temperature
DEFAULT_WINDOW = 4  # window memory: past exchanges sent with each request
WINDOW_RANGE = (1, 50)
DEFAULT_CONNECTION = "openai"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_RENDER_INTERVAL = 0.1  # seconds between re-renders: ~10 frames/s reads as live without re-rendering per token
REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")  # which a model takes varies
# The longest silence allowed once the server has the request: the SDK's own default read timeout.
# Reasoning models can think for minutes before their first token, and a read timeout is never re-sent.
DEFAULT_TIMEOUT = 600.0
# Reaching the server is quick or it is not going to happen: a dead or unreachable address fails in this.
CONNECT_TIMEOUT = 10.0
# Listing the account's models (GET /models) is quick or broken: its own, shorter limit.
LIST_TIMEOUT = 60.0
