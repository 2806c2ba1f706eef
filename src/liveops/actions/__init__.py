"""Operator actions (contract §10): performed, kept in an audit log, routed to consoles."""
