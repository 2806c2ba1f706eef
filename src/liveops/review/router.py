from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from liveops.auth.dependencies import PrincipalDep, require
from liveops.auth.principal import Action
from liveops.deps import RuntimeDep, ShowId
from liveops.openapi import error
from liveops.review import service
from liveops.review.schemas import Comparison, Review

router = APIRouter()


@router.get("/{show_id}/review", response_model=Review)
async def get_review(show_id: ShowId, principal: PrincipalDep, rt: RuntimeDep) -> dict[str, Any]:
    """The post-show review (复盘), recomputed from the stored events (docs/review.md).

    `summary` holds every contract §4 metric for the whole show (late refunds included);
    `targets` compares them with the show's targets; `products`, `minutes` (also `series`),
    `segments`, `channels` and `audience` break the show down by SKU, by minute, by run-sheet
    segment and by the fields of each viewer's first join; `funnel` follows viewers from
    entering to paying; `alerts` lists every alert with its times to acknowledge and to
    resolve; `actions` is the audit log with measured impacts; `comments` counts each intent
    (contract §11), with `comment_minutes` and `questions`. `updated_at` is when the review was
    computed, `last_event_at` when the newest stored event arrived.
    """
    require(principal, Action.REVIEW_READ, show_id)
    async with rt.read() as session:
        return await service.review(session, show_id)


reviews_router = APIRouter()

COMPARE_MAX_SHOWS = 20


@reviews_router.get(
    "/compare",
    response_model=Comparison,
    responses={404: error("one of the shows does not exist")},
)
async def compare_reviews(
    principal: PrincipalDep,
    rt: RuntimeDep,
    shows: Annotated[
        str,
        Query(
            pattern=rf"^[^,]{{1,64}}(,[^,]{{1,64}}){{0,{COMPARE_MAX_SHOWS - 1}}}$",
            description=f"show ids separated by commas, at most {COMPARE_MAX_SHOWS}",
        ),
    ],
) -> dict[str, Any]:
    """The shows' review summaries side by side (contract §13), in the order asked:
    `{"shows": [{"show", "summary", "events"}, …]}`. Every show must be one the token may
    review; an unknown one is a 404."""
    ids = shows.split(",")
    for show_id in ids:
        require(principal, Action.REVIEW_READ, show_id)
    async with rt.read() as session:
        return {"shows": await service.compare(session, ids)}
