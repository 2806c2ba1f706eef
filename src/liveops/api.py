"""The one place where routers get their prefixes and tags."""

from __future__ import annotations

from fastapi import APIRouter

from liveops.actions.router import router as actions_router
from liveops.alerts.router import router as alerts_router
from liveops.auth.router import router as auth_router
from liveops.comments.router import classify_router, router as questions_router
from liveops.compliance.router import router as compliance_router
from liveops.export.router import router as export_router
from liveops.ingest.router import router as ingest_router
from liveops.inventory.router import router as inventory_router
from liveops.live.router import router as live_router
from liveops.moderation.router import router as moderation_router
from liveops.report.router import router as report_router
from liveops.review.router import reviews_router, router as review_router
from liveops.rollups.router import router as rollups_router
from liveops.rundown.router import router as rundown_router
from liveops.shows.router import router as shows_router


def api_router() -> APIRouter:
    api = APIRouter(prefix="/api/v1")
    api.include_router(auth_router, prefix="/auth", tags=["auth"])
    api.include_router(compliance_router, prefix="/compliance", tags=["compliance"])
    api.include_router(classify_router, prefix="/comments", tags=["comments"])
    api.include_router(shows_router, prefix="/shows", tags=["shows"])
    api.include_router(ingest_router, prefix="/shows", tags=["ingest"])
    api.include_router(inventory_router, prefix="/shows", tags=["stock"])
    api.include_router(review_router, prefix="/shows", tags=["review"])
    api.include_router(export_router, prefix="/shows", tags=["review"])
    api.include_router(report_router, prefix="/shows", tags=["review"])
    api.include_router(reviews_router, prefix="/reviews", tags=["review"])
    api.include_router(rollups_router, prefix="/reviews", tags=["review"])
    api.include_router(live_router, prefix="/shows", tags=["live"])
    api.include_router(rundown_router, prefix="/shows", tags=["rundown"])
    api.include_router(actions_router, prefix="/shows", tags=["actions"])
    api.include_router(alerts_router, prefix="/shows", tags=["alerts"])
    api.include_router(questions_router, prefix="/shows", tags=["comments"])
    api.include_router(moderation_router, tags=["moderation"])
    return api
