"""The upload limit, defined once: the bot's setting ``max_upload_bytes`` defaults to it, and the
command line uses it without loading the settings."""

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
