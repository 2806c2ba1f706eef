"""The compliance engine (liveops.compliance) as a table: each kind, the contract's ordinary
phrases, offsets, overlaps, mixed scripts, and a deployment's extension file."""

from __future__ import annotations

import time
from itertools import pairwise
from pathlib import Path

import pytest

from liveops.compliance import Engine, RuleError, Violation, check, check_texts
from liveops.compliance.rules import combine, parse, read, read_default


def found(text: str, rules: Path | None = None) -> list[tuple[str, str]]:
    violations = check(text, rules)
    for v in violations:
        assert text[v.start : v.end] == v.term
        assert v.reason
    return [(v.term, v.kind) for v in violations]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # absolute
        ("这款面霜是我用过最好的", [("最好", "absolute")]),
        ("销量第一的爆款", [("销量第一", "absolute")]),
        ("国家级工艺", [("国家级", "absolute")]),
        ("100%有效，放心用", [("100%有效", "absolute")]),
        ("史上最低价", [("史上最", "absolute")]),
        ("全网最低，手慢无", [("全网最低", "absolute")]),
        ("行业TOP1的品牌", [("TOP1", "absolute")]),
        ("全国第一个拿到认证的", [("全国第一", "absolute")]),
        # efficacy
        ("涂三天就能治愈湿疹", [("治愈", "efficacy")]),
        ("纯植物，无副作用", [("无副作用", "efficacy")]),
        ("这款精华可以祛斑", [("祛斑", "efficacy")]),
        ("七天就能瘦十斤", [("七天就能瘦", "efficacy")]),
        # platform
        ("想要更便宜的加我微信", [("微信", "platform")]),
        ("好评返现五块钱", [("好评返现", "platform")]),
        ("需要刷单的联系我", [("刷单", "platform")]),
        ("加V领券", [("加V", "platform")]),
        # the contract's ordinary phrases, and more that make no claim
        ("最后三分钟，抓紧拍", []),
        ("第一个链接是面霜", []),
        ("这个架子最顶层可以放被子", []),
        ("最后一单了", []),
        ("第一次来的宝宝点关注", []),
        ("第一步先洁面", []),
        ("最近天气干", []),
        ("这是今年的最新款", []),
        ("宝宝们最好先领券再拍", []),
        ("满三百最高减五十", []),
        ("面料是100%纯棉的", []),
        ("微信支付也可以", []),
        ("电动牙刷单买两百九", []),
        ("每瓶饮料都加VC了", []),
        ("吸顶灯装在天花板上", []),
        # disclaimers: the anchor says what is NOT claimed
        ("广告法不让说最好", []),
        ("它不能祛斑，只是保湿", []),
        ("它不能祛斑，但是最好用", [("最好用", "absolute")]),
        ("排毒这个说法我们不说", []),
        # several in one line, in order of start
        (
            "全网最低价，加V还能再便宜",
            [("全网最低", "absolute"), ("加V", "platform")],
        ),
        # overlapping terms of one kind: the earliest, then longest, wins; other kinds stay
        ("百分百祛斑", [("百分百祛斑", "absolute"), ("祛斑", "efficacy")]),
        ("顶级极品", [("顶级", "absolute"), ("极品", "absolute")]),
        # mixed Chinese and ASCII, full-width ASCII
        ("加我VX，brand No.1", [("VX", "platform"), ("No.1", "absolute")]),
        ("加我ＶＸ", [("ＶＸ", "platform")]),
        ("这支口红是NO.12号色", []),
        # nothing at all
        ("", []),
        ("   ", []),
        ("hello world 123", []),
    ],
)
def test_rule_table(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_offsets_are_characters_and_sorted() -> None:
    text = "🎉宝宝们，这是最好的面霜，无副作用，加V领券"
    violations = check(text)
    assert [v.start for v in violations] == sorted(v.start for v in violations)
    assert [(v.start, v.end) for v in violations] == [(7, 9), (13, 17), (18, 20)]
    assert all(text[v.start : v.end] == v.term for v in violations)


def test_no_overlapping_duplicates_of_one_kind() -> None:
    text = "全网最低最低价史上最好最佳第一名第一品牌"
    by_kind: dict[str, list[Violation]] = {}
    for v in check(text):
        by_kind.setdefault(v.kind, []).append(v)
    for violations in by_kind.values():
        for before, after in pairwise(violations):
            assert before.end <= after.start


def test_check_texts_keeps_order_and_suggests() -> None:
    results = check_texts(["最后三分钟", "这是最好的", "刷单"])
    assert [[v.term for v in r] for r in results] == [[], ["最好"], ["刷单"]]
    assert results[1][0].suggestion == "很好"
    assert "广告法" in results[1][0].reason


def test_violation_is_frozen() -> None:
    violation = check("最好")[0]
    with pytest.raises(AttributeError):
        violation.term = "x"  # type: ignore[misc]


def test_an_extension_file_adds_replaces_and_disables(tmp_path: Path) -> None:
    extra = tmp_path / "shop.toml"
    extra.write_text(
        """
disable = ["platform.offsite-link"]

[[rules]]
id = "shop.competitor"
kind = "competitor"
reason = "不点名竞品。"
suggestion = "别家"
terms = ["某某旗舰店"]
unless = ['某某旗舰店(?=的快递)']

[[rules]]
id = "absolute.rank"
kind = "absolute"
reason = "只管“冠军”。"
terms = ["冠军"]
""",
        encoding="utf-8",
    )
    assert found("比某某旗舰店便宜", extra) == [("某某旗舰店", "competitor")]
    assert found("某某旗舰店的快递", extra) == []
    assert found("淘宝上更贵", extra) == []  # the default offsite-link rule is off
    assert found("淘宝上更贵") == [("淘宝", "platform")]  # and still on without the file
    assert found("销量冠军，排名第一", extra) == [("冠军", "absolute")]  # rank replaced
    assert found("最好的", extra) == [("最好", "absolute")]  # the rest stays


def test_an_extension_in_json(tmp_path: Path) -> None:
    extra = tmp_path / "shop.json"
    extra.write_text(
        '{"rules": [{"id": "x", "kind": "platform", "reason": "r", "terms": ["抖加"]}]}',
        encoding="utf-8",
    )
    assert found("买抖加", extra) == [("抖加", "platform")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[[rules]]\nid = "a"\nkind = "x"\nreason = "r"\n', "needs 'terms' or 'patterns'"),
        ('[[rules]]\nid = "a"\nkind = "x"\nreason = "r"\npatterns = ["("]\n', "not a valid"),
        ('[[rules]]\nid = "a"\nkind = "x"\nreason = "r"\npatterns = ["a*"]\n', "empty string"),
        ('[[rules]]\nid = "a"\nkind = "x"\nterms = ["t"]\n', "'reason'"),
        ('[[rules]]\nid = "a"\nkind = "x"\nreason = "r"\nterms = ["t"]\nwhat = 1\n', "unknown"),
        ("rules = [", "not valid TOML"),
        ('[[rule]]\nid = "a"\nkind = "x"\nreason = "r"\nterms = ["t"]\n', "top-level"),
    ],
)
def test_a_bad_rule_file_says_why(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RuleError, match=message):
        read(path)


def test_the_shipped_rules_cover_every_kind() -> None:
    kinds = {rule.kind for rule in read_default().rules}
    assert {"absolute", "efficacy", "platform"} <= kinds


@pytest.mark.parametrize(
    "text", ["最" * 10_000, "第一" * 5_000, "最好先" * 3_333, "不能说最好" * 2_000]
)
def test_a_hostile_long_text_stays_fast(text: str) -> None:
    """Every position a candidate: the cost stays linear (about 0.1 s here, 2 s allowed)."""
    started = time.perf_counter()
    check(text)
    assert time.perf_counter() - started < 2.0


def test_an_empty_rule_set_finds_nothing() -> None:
    engine = Engine(combine(parse({}), []))
    assert engine.check("最好的祛斑霜，加微信") == []
