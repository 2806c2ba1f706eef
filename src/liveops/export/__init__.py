"""Exports of a show (contract §13): its stored events as NDJSON."""
