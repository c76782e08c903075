"""End-to-end tests: ``disclosure-bot`` as a subprocess against the local Bot API emulation."""
