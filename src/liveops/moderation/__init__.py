"""Moderation (contract §10, issue #11): hidden comments, bans, a room's keyword filter and the
user card. docs/moderation.md says what is hidden and why."""
