"""Comment intelligence's pure parts: the normal form, the sharp rules, the question board's
clusters and waves, reply templates, and the shipped model's reproducibility."""

from __future__ import annotations

import pytest

from liveops.comments import train
from liveops.comments.model import model_path, rule_intent, shipped
from liveops.comments.normalize import CONTACT, LINK, NUMBER, normalize
from liveops.comments.questions import PER_VIEWER_LIMIT, QuestionBoard
from liveops.comments.replies import fill, product_values, replies, yuan


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("這個多少錢", "这个多少钱"),  # traditional → simplified
        ("ＸＬ碼有嗎？", "xl码有吗?"),  # full-width → ASCII, lower case
        ("哈哈哈哈哈哈", "哈哈哈"),  # a run cut to three
        ("160斤穿啥", f"{NUMBER}斤穿啥"),
        ("666666", "666"),  # a cheer, not a quantity
        ("yyds", "永远的神"),
        ("kd什么时候到", "快递什么时候到"),
        ("加vx abc12345 领券", f"加{CONTACT}领券"),
        ("看 www.shop.cc 更便宜", f"看{LINK}更便宜"),
        ("  ", ""),
    ],
)
def test_the_normal_form(text: str, normal: str) -> None:
    assert normalize(text) == normal


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("加微信abc123456", "spam"),
        ("http://t.cn/xyz 领红包", "spam"),
        ("13800138000", "spam"),  # a phone number
        ("666", "interaction"),
        ("111", "interaction"),
        ("？？？", "interaction"),
        ("👍👍👍", "interaction"),
        ("哈哈哈哈", "interaction"),
        ("多大码", None),  # the model decides
        ("好看", None),
    ],
)
def test_sharp_rules(text: str, intent: str | None) -> None:
    assert rule_intent(normalize(text)) == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("多大码", "question_size"),
        ("160斤穿啥", "question_size"),
        ("多少钱", "question_price"),
        ("包邮吗", "question_shipping"),
        ("会起球吗", "question_quality"),
        ("拍了拍了", "purchase_intent"),
        ("主播好美", "praise"),
        ("一周了还没发货", "complaint_logistics"),
        ("客服一直不回", "complaint_service"),
        ("", "other"),
    ],
)
def test_the_shipped_classifier_on_plain_comments(text: str, intent: str) -> None:
    assert shipped().classify(text).intent == intent


def test_the_shipped_model_is_what_the_labelled_set_trains() -> None:
    # Reproducible: retraining from the shipped set gives the shipped file byte for byte.
    assert model_path().read_text("utf-8") == train.model_json(train.labelled_set())


def test_the_labelled_set_is_big_enough_and_its_splits_are_apart() -> None:
    examples = train.labelled_set()
    for intent in {e.intent for e in examples}:
        assert sum(1 for e in examples if e.intent == intent and e.split == "train") >= 60
        assert sum(1 for e in examples if e.intent == intent and e.split == "test") >= 30
    train_texts = {normalize(e.text) for e in examples if e.split == "train"}
    assert not train_texts & {normalize(e.text) for e in examples if e.split == "test"}


def ask(board: QuestionBoard, text: str, viewer: str, at: int, sku: str | None = "A1") -> str:
    intent = shipped().classify(text).intent
    cluster = board.add(intent=intent, text=text, viewer_id=viewer, at_ms=at, sku=sku)
    assert cluster is not None, text
    return cluster.id


def test_paraphrases_join_one_cluster_and_other_questions_their_own() -> None:
    board = QuestionBoard()
    fit = {ask(board, t, f"v{i}", i) for i, t in enumerate(["多大码", "穿什么码", "160斤穿啥"])}
    assert len(fit) == 1
    assert ask(board, "包邮吗", "v9", 10) != ask(board, "什么时候发货", "v9", 11)
    assert ask(board, "多大码", "v1", 12, sku="B2") not in fit  # another product
    assert board.add(intent="praise", text="好看", viewer_id="v1", at_ms=1, sku=None) is None


def test_ranking_waves_and_dismissal() -> None:
    board = QuestionBoard()
    for i in range(3):
        ask(board, "多大码", f"a{i}", 100 + i)
    price = ask(board, "多少钱", "b0", 50)  # older, but fewer
    fit = board.open_clusters()[0].id
    assert [c.id for c in board.open_clusters()] == [fit, price]
    assert board.top_question() == "多大码"

    assert board.close(fit, "answered", 200)
    assert [c.id for c in board.open_clusters()] == [price]
    ask(board, "穿几码", "late", 300)  # a new wave
    again = board.clusters[fit]
    assert (again.status, again.count, again.total, again.first_at_ms) == ("open", 1, 4, 300)

    assert board.close(price, "dismissed", 400)
    for i in range(2):
        ask(board, "多少钱", f"c{i}", 500 + i)
    assert board.clusters[price].status == "dismissed"  # two viewers: not yet
    ask(board, "什么价", "c2", 510)
    assert board.clusters[price].status == "open"  # the third brings it back
    assert not board.close("q_missing", "answered", 1)


def test_one_viewer_counts_at_most_a_few_times() -> None:
    board = QuestionBoard()
    for i in range(10):
        cluster = ask(board, "多少钱", "flooder", i)
    assert (board.clusters[cluster].count, board.clusters[cluster].viewers) == (
        PER_VIEWER_LIMIT,
        1,
    )


def test_the_oldest_open_question_waits_since_its_wave_began() -> None:
    board = QuestionBoard()
    assert board.oldest_open_seconds(10_000) is None
    ask(board, "多大码", "v1", 1_000)
    assert board.oldest_open_seconds(31_000) == 30.0


@pytest.mark.parametrize(
    ("minor", "text"), [(9_900, "99元"), (9_950, "99.5元"), (0, "0元"), (1, "0.01元")]
)
def test_prices_read_as_a_viewer_says_them(minor: int, text: str) -> None:
    assert yuan(minor) == text


def test_replies_fill_live_values_and_leave_out_what_is_unknown() -> None:
    product = {"sku": "A1", "name": "羊绒围巾", "list_price": 19_900, "live_price": 9_900}
    values = product_values(product, 37, {"amount_off": 1_000, "threshold": 9_900})
    found = replies("question_price", "price", values)
    assert found[0]["text"] == "羊绒围巾直播间到手价99元，日常价199元，直接省100元"
    assert any("剩37件" in r["text"] for r in found)
    deal = replies("question_price", "deal", values)
    assert "满99元减10元" in deal[0]["text"]
    # Without a product, only the templates that need none.
    bare = replies("question_shipping", "ship_time", product_values(None, None, None))
    assert [r["topic"] for r in bare] == ["ship_time"]
    assert fill("{name}还剩{stock_left}件", {"name": "围巾", "stock_left": None}) is None


def test_with_no_intent_every_template_whose_values_are_known() -> None:
    values = product_values({"name": "围巾", "list_price": 19_900, "live_price": 9_900}, 5, None)
    every = replies(None, None, values)
    assert {r["intent"] for r in every} >= {"question_size", "question_price", "complaint_service"}
    assert not any("{" in r["text"] for r in every)
    assert all(r["intent"] != "question_price" or "券" not in r["text"] for r in every)
