"""A local Bot API emulation for end-to-end tests. See :mod:`tests.emulator.server`."""

from .server import (
    DEFAULT_BOT_USER,
    ApiCall,
    ApiError,
    BotApiEmulator,
    BotMessage,
    Document,
    MessageEvent,
    Upload,
    WebhookDeliveryError,
)

__all__ = [
    "DEFAULT_BOT_USER",
    "ApiCall",
    "ApiError",
    "BotApiEmulator",
    "BotMessage",
    "Document",
    "MessageEvent",
    "Upload",
    "WebhookDeliveryError",
]
