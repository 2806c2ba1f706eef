"""Persistence: the schema, engines and sessions shared by every concern."""
