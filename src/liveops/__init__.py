"""LiveOps: the control room behind a live-commerce broadcast."""
