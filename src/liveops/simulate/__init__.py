"""The show simulator: a seeded, realistic live-commerce show played against a server.

`build_plan` (pure) decides every event and when to deliver it, and the show on air: the
run-sheet, field control's cues and the anchor's speech (`scripts`); `recount` (pure) is the
independent ground truth for every contract §4 metric, and `comments_by_intent` for the
comment intents of §11 (each comment's is the simulator's own: `texts.INTENT_OF`);
`run_simulation` (async I/O) posts a plan to a running server over the public API in real
time, playing field control and the anchor too (`control`).
"""

from liveops.comments.intents import Intent
from liveops.simulate.control import OnAirReport
from liveops.simulate.lineup import DEMO_LINEUP, ROLES, Product, Role
from liveops.simulate.runner import (
    SimulationConfig,
    SimulationError,
    SimulationReport,
    run_simulation,
)
from liveops.simulate.scenario import (
    Delivery,
    FlashSale,
    Rundown,
    ShowPlan,
    build_plan,
    plan_runsheet,
    post_show_seconds,
)
from liveops.simulate.texts import INTENT_OF, INTENTS
from liveops.simulate.truth import METRIC_KEYS, comments_by_intent, recount

__all__ = [
    "DEMO_LINEUP",
    "INTENTS",
    "INTENT_OF",
    "METRIC_KEYS",
    "ROLES",
    "Delivery",
    "FlashSale",
    "Intent",
    "OnAirReport",
    "Product",
    "Role",
    "Rundown",
    "ShowPlan",
    "SimulationConfig",
    "SimulationError",
    "SimulationReport",
    "build_plan",
    "comments_by_intent",
    "plan_runsheet",
    "post_show_seconds",
    "recount",
    "run_simulation",
]
