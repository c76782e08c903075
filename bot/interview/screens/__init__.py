"""The interview's screens, one module per family."""
