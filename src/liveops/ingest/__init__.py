"""Ingest: validate event batches, store them durably and idempotently, feed the live state."""
