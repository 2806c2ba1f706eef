from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from liveops.auth.dependencies import PrincipalDep, require
from liveops.auth.principal import Action
from liveops.deps import RuntimeDep, ShowId
from liveops.openapi import error
from liveops.review import service

router = APIRouter()


@router.get("/{show_id}/review")
async def get_review(show_id: ShowId, principal: PrincipalDep, rt: RuntimeDep) -> dict[str, Any]:
    """The post-show review (复盘), recomputed from the stored events.

    `summary` holds every contract §4 metric for the whole show (late refunds included);
    `targets` compares them with the show's targets; `products` and `series` break the show
    down by SKU and by minute; `alerts` lists every alert (oldest first) with its times to
    acknowledge and to resolve, and sums them up per rule (`by_rule`) and for the show
    (`overall`); `comments` counts the comments of each intent (contract §11), with
    `comment_minutes` per minute and `questions` (the most asked clusters, how many were
    answered or dismissed, and the median and longest wait before an answer).
    """
    require(principal, Action.REVIEW_READ, show_id)
    async with rt.read() as session:
        return await service.review(session, show_id)


reviews_router = APIRouter()

COMPARE_MAX_SHOWS = 20


@reviews_router.get("/compare", responses={404: error("one of the shows does not exist")})
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
