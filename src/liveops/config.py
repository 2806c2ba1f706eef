"""Settings, read once from `LIVEOPS_*` environment variables (and a `.env` file)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything configurable. Every field has a default that runs the embedded mode."""

    model_config = SettingsConfigDict(env_prefix="LIVEOPS_", env_file=".env", extra="ignore")

    mode: Literal["dev", "production"] = "dev"
    data_dir: Path = Path(".liveops")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy async URL; unset means a SQLite file under data_dir.",
    )
    redis_url: str | None = None
    admin_token: SecretStr | None = None
    allowed_origins: list[str] = Field(default_factory=list)

    # Ingest
    max_events_per_request: int = 5_000
    max_body_bytes: int = 16 * 1024 * 1024
    # Every other request body (JSON endpoints outside ingest): larger is refused with 413
    # before it is read into memory.
    max_request_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    # An event's `ts` may lie at most this long before the show was created, and at most this
    # long after it ended (or after now, while it has not ended): contract §3 "Ranges".
    ingest_ts_before_created_seconds: int = Field(default=7 * 86_400, ge=0, le=3650 * 86_400)
    ingest_ts_after_ended_seconds: int = Field(default=90 * 86_400, ge=0, le=3650 * 86_400)
    # Ingest batches handled at once per process, kept under the database pool's 20
    # connections so that a burst never times out waiting for one. More wait for a slot up to
    # `ingest_queue_seconds`, then answer 503 + Retry-After.
    ingest_max_in_flight: int = Field(default=16, ge=1, le=1000)
    ingest_queue_seconds: float = Field(default=2.0, ge=0, le=60)
    # A verified token is trusted this long without asking the database again: revoking or
    # expiring one takes effect within this time. 0 asks on every request.
    credential_cache_seconds: float = Field(default=5.0, ge=0, le=300)
    write_batch_max_events: int = 20_000

    # Live stream
    stream_history_size: int = 10_000
    # ...and at most this many bytes of them per show (in process memory).
    stream_history_max_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    metrics_interval_seconds: float = 0.1
    feed_interval_seconds: float = 0.02
    feed_max_items_per_frame: int = 500
    feed_recent_in_snapshot: int = 200
    console_queue_max_frames: int = 2_000
    console_queue_max_bytes: int = 8 * 1024 * 1024
    # Stock (contract §7)
    reservation_hold_seconds: float = Field(
        default=900.0, gt=0, description="an unpaid reservation returns to stock after this"
    )
    reservation_sweep_seconds: float = Field(default=1.0, gt=0)
    reservation_batch_max: int = Field(default=500, ge=1, le=5000)
    # Answer reservation requests without FastAPI's routing and dependency machinery
    # (inventory/fast_path.py): same contract, about a third of the CPU per request.
    reservation_fast_path: bool = True
    low_stock_ratio: float = Field(
        default=0.1, ge=0, le=1, description="low-stock alert at this share of allocated"
    )
    # Write publications straight to the console's socket, framed once for all (uvicorn's
    # websockets protocol only; elsewhere consoles are served through ASGI).
    console_direct_writes: bool = True
    # Largest frame of coalesced messages sent to a `liveops.ndjson` console.
    console_frame_max_bytes: int = 256 * 1024

    # Comment intelligence (docs/comments.md): classify each comment's intent at ingest. Off
    # only to measure what classification costs (bench/classify.py); comments are then
    # classified when the live side or the review reads them.
    classify_comments: bool = True

    # The anchor's prompt pane and compliance (docs/runsheet.md, docs/compliance.md)
    # A deployment's own rule file, added to the shipped rules (read once, at startup).
    compliance_rules_path: Path | None = None
    # A cue still unacknowledged after this long raises a `cue_unacked` alert to its senders.
    cue_escalate_seconds: float = Field(default=30.0, gt=0, le=3600)
    # Actions (contract §10): the undo window consoles give price.set and coupon.issue, and how
    # often each process looks for held actions whose window has ended.
    undo_seconds: int = Field(default=10, ge=0, le=120)
    held_action_poll_seconds: float = Field(default=0.5, gt=0, le=10)

    # Many processes (Redis)
    redis_prefix: str = "liveops"
    lease_seconds: float = 3.0
    reconcile_seconds: float = 10.0

    # Auth
    session_ttl_seconds: int = 12 * 3600
    login_code_ttl_seconds: int = 600
    # `Secure` on the session cookie: `auto` sets it when the request came over HTTPS
    # (directly or as reported by X-Forwarded-Proto from a trusted proxy).
    cookie_secure: Literal["auto", "always", "never"] = "auto"
    # Who may scrape GET /metrics: the admin token always; this token too, when set.
    metrics_token: SecretStr | None = None

    # The HTTP server (slow-client protection; see docs/deployment.md)
    # A connection must send its complete request head within this many seconds.
    header_timeout_seconds: float = Field(default=10.0, gt=0, le=600)
    # Open connections (HTTP and websocket) one client address may hold; 0 means no limit
    # (set 0 behind a proxy, where every client has the proxy's address).
    max_connections_per_client: int = Field(default=1024, ge=0)

    @model_validator(mode="after")
    def _production_needs_admin_token(self) -> Settings:
        if self.mode == "production" and self.admin_token is None:
            raise ValueError("LIVEOPS_ADMIN_TOKEN is required when LIVEOPS_MODE=production")
        return self

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'liveops.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")
