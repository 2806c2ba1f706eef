from pathlib import Path

from liveops.live.asyncapi import document, render

DOC = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.json"


def test_the_checked_in_asyncapi_document_matches_the_message_models() -> None:
    assert DOC.read_text() == render(), (
        "docs/asyncapi.json is stale: run `python -m liveops.live.asyncapi > docs/asyncapi.json`"
    )


def test_every_message_is_on_the_channel_with_a_schema() -> None:
    doc = document()
    messages = doc["components"]["messages"]
    assert set(doc["channels"]["live"]["messages"]) == set(messages)
    for name, message in messages.items():
        ref = message["payload"]["$ref"].rsplit("/", 1)[1]
        assert ref in doc["components"]["schemas"], name
