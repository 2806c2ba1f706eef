"""Alerts (contract §12): rules that watch the show, fire to the roles that can act, and resolve
without flapping. `machine.py` is the pure state machine of one rule for one subject."""
