"""`/api/v1/comments/classify` and the question queue, `/api/v1/shows/{show_id}/questions`
(contract §11), with reply templates at `…/replies`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from starlette.concurrency import run_in_threadpool

from liveops.actions import service as actions_service
from liveops.auth.dependencies import PrincipalDep, require
from liveops.auth.principal import Action, Principal
from liveops.comments import service
from liveops.comments.intents import Intent
from liveops.comments.schemas import (
    Answer,
    AnswerRequest,
    Classified,
    ClassifyAnswer,
    ClassifyRequest,
    ClusterList,
    ClusterRead,
    DismissRequest,
    ReplyList,
)
from liveops.deps import RuntimeDep, ShowId
from liveops.errors import NotFound
from liveops.runtime import Runtime

classify_router = APIRouter()
router = APIRouter()

# Above this many texts a batch is classified off the event loop (a cold cache costs ~20 µs a
# text: 1,000 texts would hold every other request for ~20 ms).
INLINE_TEXTS = 200

ClusterId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@classify_router.post("/classify")
async def classify(body: ClassifyRequest, principal: PrincipalDep) -> ClassifyAnswer:
    """Each text's intent (contract §11) and the model's confidence in it, in order. Any
    signed-in role may ask. Up to 1,000 texts of up to 500 characters."""
    if len(body.texts) > INLINE_TEXTS:
        found = await run_in_threadpool(service.classify_texts, body.texts)
    else:
        found = service.classify_texts(body.texts)
    return ClassifyAnswer(
        results=[Classified(intent=c.intent, confidence=c.confidence) for c in found]
    )


async def _snapshot(rt: Runtime, show_id: str) -> dict[str, Any]:
    snapshot = await rt.live.current(show_id)
    if snapshot is None:
        raise NotFound(f"no show with id {show_id!r}")
    return dict(snapshot)


@router.get("/{show_id}/questions", response_model=ClusterList)
async def list_questions(show_id: ShowId, principal: PrincipalDep, rt: RuntimeDep) -> Any:
    """The show's question clusters, most pressing first: open ones by comments in the current
    wave, distinct viewers, then the longest waiting; then up to 20 closed ones, newest first.
    Every console role may read them (the anchor sees the top three)."""
    require(principal, Action.LIVE_READ, show_id)
    return {"clusters": service.clusters_of(await _snapshot(rt, show_id))}


async def _close(
    show_id: str,
    cluster_id: str,
    principal: Principal,
    rt: Runtime,
    *,
    dismiss: bool,
    reply: str | None = None,
    announce: bool = False,
) -> Any:
    actions_service.check_may(
        principal, "question.dismiss" if dismiss else "question.answer", show_id
    )
    cluster = service.find_cluster(await _snapshot(rt, show_id), cluster_id)
    async with rt.transaction() as session:
        return await service.close_cluster(
            session,
            show_id,
            principal,
            cluster,
            dismiss=dismiss,
            reply=reply,
            announce=announce,
            now=datetime.now(UTC),
            platform=rt.platform,
        )


@router.post("/{show_id}/questions/{cluster_id}/answer", response_model=ClusterRead)
async def answer_question(
    show_id: ShowId,
    cluster_id: ClusterId,
    principal: PrincipalDep,
    rt: RuntimeDep,
    body: Annotated[AnswerRequest | None, Body()] = None,
) -> Any:
    """Close the cluster as answered (field control, assistant, operations, admin), stored as a
    `question.answer` action. With `{"reply": str, "announce": true}` the reply also becomes
    the room's announcement, in the same transaction. The next comment asking the same
    question opens a new wave."""
    body = body or Answer()
    return await _close(
        show_id, cluster_id, principal, rt, dismiss=False, reply=body.reply, announce=body.announce
    )


@router.post("/{show_id}/questions/{cluster_id}/dismiss", response_model=ClusterRead)
async def dismiss_question(
    show_id: ShowId,
    cluster_id: ClusterId,
    principal: PrincipalDep,
    rt: RuntimeDep,
    body: Annotated[DismissRequest | None, Body()] = None,
) -> Any:
    """Close the cluster without an answer (a `question.dismiss` action). It comes back only
    when three distinct viewers ask again."""
    return await _close(show_id, cluster_id, principal, rt, dismiss=True)


@router.get("/{show_id}/replies", response_model=ReplyList)
async def list_replies(
    show_id: ShowId,
    principal: PrincipalDep,
    rt: RuntimeDep,
    cluster_id: Annotated[str | None, Query(max_length=64)] = None,
    intent: Annotated[Intent | None, Query()] = None,
    sku: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
) -> Any:
    """Reply templates for a cluster (`cluster_id`), an intent, or with neither every template,
    for a product (`sku`; the cluster's, else the pinned one), with its live price, stock and
    coupon filled in; the best match first. A template whose values are not known is left
    out."""
    require(principal, Action.LIVE_READ, show_id)
    snapshot = await _snapshot(rt, show_id)
    topic: str | None = None
    if cluster_id is not None:
        cluster = service.find_cluster(snapshot, cluster_id)
        intent, topic, sku = cluster["intent"], cluster["topic"], sku or cluster["sku"]
    async with rt.read() as session:
        found = await service.reply_options(
            session, show_id, snapshot, intent=intent, topic=topic, sku=sku
        )
    return {"replies": found}
