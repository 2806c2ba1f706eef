import json
import logging

from liveops.logs import JsonFormatter, connection_id_var, show_id_var


def test_a_log_line_is_json_and_names_the_show_and_console_of_the_moment() -> None:
    record = logging.LogRecord(
        "liveops.console", logging.INFO, __file__, 1, "open %s", ("x",), None
    )
    show_token = show_id_var.set("show_1")
    connection_token = connection_id_var.set("c9")
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        show_id_var.reset(show_token)
        connection_id_var.reset(connection_token)
    assert line["message"] == "open x"
    assert line["level"] == "info"
    assert (line["show_id"], line["connection_id"]) == ("show_1", "c9")
    assert line["ts"].endswith("Z")


def test_ids_are_left_out_when_there_are_none() -> None:
    record = logging.LogRecord("liveops", logging.WARNING, __file__, 1, "plain", (), None)
    assert set(json.loads(JsonFormatter().format(record))) == {"ts", "level", "logger", "message"}
