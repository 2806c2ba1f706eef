"""The Redis client and every key LiveOps uses. Keys are built here and nowhere else."""

from __future__ import annotations

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError, TimeoutError as RedisTimeout

# Connections one process may open. Under a burst (a reconnect storm) callers queue for a
# free connection instead of failing. Each show this process aggregates holds one in its
# blocking read of the events stream, the hub reader holds one more.
MAX_CONNECTIONS = 256


def create_redis(url: str) -> Redis:
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=MAX_CONNECTIONS,
        timeout=20,
        decode_responses=True,
        health_check_interval=10,
        socket_connect_timeout=2,
        retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), retries=3),
        retry_on_error=[RedisConnectionError, RedisTimeout],
    )
    return Redis(connection_pool=pool)


class Keys:
    """Key families, under a prefix so that several deployments (or tests) share one Redis."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def epoch(self, show_id: str) -> str:
        """The epoch of the show's publication stream."""
        return f"{self.prefix}:show:{show_id}:epoch"

    def publications(self, show_id: str) -> str:
        """Stream of encoded publications; entry id `0-<offset>`."""
        return f"{self.prefix}:show:{show_id}:pubs"

    def snapshot(self, show_id: str) -> str:
        """Hash: `offset` and `frame` of the latest stored snapshot."""
        return f"{self.prefix}:show:{show_id}:snapshot"

    def feed_mark(self, show_id: str) -> str:
        """`<events entry id> <n>`: the feed of every events entry before that one, and of the
        first n comments and order events in it, is in the publication stream."""
        return f"{self.prefix}:show:{show_id}:feed-mark"

    def events(self, show_id: str) -> str:
        """Stream of newly stored events (and show changes), the aggregator's input."""
        return f"{self.prefix}:show:{show_id}:events"

    def owner(self, show_id: str) -> str:
        """The aggregator lease: `<process>:<fence>`, with a time to live."""
        return f"{self.prefix}:show:{show_id}:owner"

    def fence(self, show_id: str) -> str:
        """Counter handing out fencing tokens."""
        return f"{self.prefix}:show:{show_id}:fence"

    def wake(self, process_id: str) -> str:
        """A stream that interrupts one process's blocking read when it watches a new show."""
        return f"{self.prefix}:process:{process_id}:wake"
