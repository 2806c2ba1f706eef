"""How quickly a show's alerts were handled: counts and the times to acknowledge (MTTA) and to
resolve (MTTR), per rule and overall. Pure: alerts in (as the API shows them), rows out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from statistics import median
from typing import Any


def _spread(values: Sequence[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    return round(median(values), 3), round(max(values), 3)


def row(alerts: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One summary row. `acknowledged` and `resolved` count the alerts that were, whatever
    their state now; `resolved_by_itself` those whose condition cleared with no one resolving
    them. The median and max are over the alerts that have the time (null when none has)."""
    acks = [float(a["ack_seconds"]) for a in alerts if a["ack_seconds"] is not None]
    resolves = [float(a["resolve_seconds"]) for a in alerts if a["resolve_seconds"] is not None]
    median_ack, max_ack = _spread(acks)
    median_resolve, max_resolve = _spread(resolves)
    return {
        "count": len(alerts),
        "open": sum(1 for a in alerts if a["state"] != "resolved"),
        "acknowledged": len(acks),
        "resolved": len(resolves),
        "resolved_by_itself": sum(
            1 for a in alerts if a["state"] == "resolved" and a["resolved_by"] is None
        ),
        "median_ack_seconds": median_ack,
        "max_ack_seconds": max_ack,
        "median_resolve_seconds": median_resolve,
        "max_resolve_seconds": max_resolve,
    }


def summary(
    alerts: Sequence[Mapping[str, Any]], order: Sequence[str] = ()
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """A row per rule that fired (in `order`, then any other rule by name), and the row of
    every alert."""
    by_rule: dict[str, list[Mapping[str, Any]]] = {}
    for alert in alerts:
        by_rule.setdefault(str(alert["rule"]), []).append(alert)
    ranked = [name for name in order if name in by_rule]
    ranked += sorted(set(by_rule) - set(ranked))
    return [{"rule": name, **row(by_rule[name])} for name in ranked], row(alerts)
