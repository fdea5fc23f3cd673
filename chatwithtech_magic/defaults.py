"""Default settings, as plain values: the magics read them at load time without importing the core."""

DEFAULT_MODEL = "gpt-3.5-turbo"
DEFAULT_TEMPERATURE = 0.3  # the seed documentation's default
DEFAULT_WINDOW = 4  # window memory: past exchanges sent with each request
WINDOW_RANGE = (1, 50)
DEFAULT_CONNECTION = "openai"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_RENDER_INTERVAL = 0.1  # seconds between re-renders: ~10 frames/s reads as live without re-rendering per token
