from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from liveops.auth.dependencies import PrincipalDep
from liveops.compliance import service
from liveops.compliance.rules import RuleError
from liveops.compliance.schemas import CheckAnswer, CheckRequest, TextResult, ViolationOut
from liveops.deps import RuntimeDep
from liveops.errors import Unavailable

router = APIRouter()

# Above this many characters a check runs off the event loop, so that a large batch does not
# stall every other request of the process.
INLINE_CHARS = 20_000


@router.post("/check")
async def check(body: CheckRequest, principal: PrincipalDep, rt: RuntimeDep) -> CheckAnswer:
    """Check texts against the compliance rules (contract §9): advertising-law absolute terms,
    efficacy claims for ordinary goods, platform-sensitive words. Any signed-in role may ask.

    One result per text, in order; `term == text[start:end]` in characters. A text with no
    violation has an empty list.
    """
    # The setting may not exist in every build: without it, the shipped rules alone.
    extra = rt.settings.compliance_rules_path
    try:
        if sum(map(len, body.texts)) > INLINE_CHARS:
            found = await run_in_threadpool(service.check_texts, body.texts, extra)
        else:
            found = service.check_texts(body.texts, extra)
    except RuleError as exc:
        # The deployment's rule file is broken: the operator's to fix, not the caller's.
        raise Unavailable(f"the compliance rules cannot be used: {exc}") from exc
    return CheckAnswer(
        results=[
            TextResult(
                violations=[
                    ViolationOut(
                        term=v.term,
                        kind=v.kind,
                        start=v.start,
                        end=v.end,
                        reason=v.reason,
                        suggestion=v.suggestion,
                    )
                    for v in violations
                ]
            )
            for violations in found
        ]
    )
