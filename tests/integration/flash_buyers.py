"""A crowd of flash-sale buyers in one process, for the no-oversell tests.

    python -m tests.integration.flash_buyers URL TOKEN SHOW SKU FIRST COUNT SEED [CONCURRENCY]

Asks to reserve one unit for orders FIRST … FIRST+COUNT-1, as a storefront under a stampede
does: every order at least once; about a third again (a retry after an answer was lost), some
of them at the same moment as the first try; some with a client timeout so short that the
client gives up while the server still decides (it then retries). Prints one JSON object:
{order_id: [every answer received, as (status, available)]}.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys

import httpx


async def main(
    url: str, token: str, show: str, sku: str, first: int, count: int, seed: int, concurrency: int
) -> dict[str, list[list[object]]]:
    rng = random.Random(seed)
    attempts: list[tuple[str, float | None]] = []
    for n in range(first, first + count):
        order = f"order-{n}"
        attempts.append((order, None))
        roll = rng.random()
        if roll < 0.2:
            attempts.append((order, None))  # a plain retry, possibly concurrent with the first
        elif roll < 0.3:
            attempts.append((order, 0.001))  # gives up at once: the server may still decide
            attempts.append((order, None))
    rng.shuffle(attempts)
    answers: dict[str, list[list[object]]] = {}
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {token}"}, limits=limits, timeout=60
    ) as client:

        async def attempt(order: str, give_up_after: float | None) -> None:
            body = {"order_id": order, "viewer_id": f"viewer-{order}", "qty": 1}
            path = f"/api/v1/shows/{show}/stock/{sku}/reservations"
            async with gate:
                for _ in range(20):
                    try:
                        response = await client.post(path, json=body, timeout=give_up_after or 60)
                    except httpx.TransportError:
                        # Lost the answer (gave up waiting, or the connection broke): ask
                        # again, as a storefront would.
                        give_up_after = None
                        continue
                    if response.status_code == 503:
                        await asyncio.sleep(0.05)
                        continue
                    if response.status_code not in (201, 409):
                        raise RuntimeError(
                            f"order {order}: HTTP {response.status_code}: {response.text[:300]}"
                        )
                    data = response.json()
                    answers.setdefault(order, []).append([data["status"], data["available"]])
                    return
                raise RuntimeError(f"order {order}: no answer after 20 tries")

        await asyncio.gather(*(attempt(order, timeout) for order, timeout in attempts))
    return answers


if __name__ == "__main__":
    url, token, show, sku, first, count, seed, *rest = sys.argv[1:]
    result = asyncio.run(
        main(url, token, show, sku, int(first), int(count), int(seed), int(rest[0]) if rest else 64)
    )
    print(json.dumps(result))  # noqa: T201
