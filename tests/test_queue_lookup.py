"""The Queues API answer is outside input: names and ids the console shows and puts in URLs are checked,
and the walk over the answer is bounded."""

from __future__ import annotations

from console.runbook.queue_lookup import MAX_LISTED, queues_from_answer

ID = "0123456789abcdef0123456789abcdef"


def answer(*queues):
    return {"success": True, "errors": [], "messages": [], "result": list(queues)}


def test_a_list_of_queues_maps_names_to_ids():
    found, skipped = queues_from_answer(answer({"queue_name": "vau-batch", "queue_id": ID}))
    assert (found, skipped) == ({"vau-batch": ID}, 0)


def test_names_and_ids_the_console_cannot_use_are_skipped_and_counted():
    hostile = [
        {"queue_name": "evil\x1b]52;c;aGk=\x07", "queue_id": ID},  # a terminal escape
        {"queue_name": "x" * 129, "queue_id": ID},  # over-long
        {"queue_name": "../../accounts", "queue_id": ID},  # a path in a URL
        {"queue_name": "ok-name", "queue_id": "not-hex"},
        {"queue_name": 7, "queue_id": ID},
        "not an object",
    ]
    found, skipped = queues_from_answer(answer({"queue_name": "ok", "queue_id": ID}, *hostile))
    assert found == {"ok": ID}
    assert skipped == len(hostile)


def test_a_huge_answer_is_read_only_up_to_the_bound():
    queues = [{"queue_name": f"q{i}", "queue_id": ID} for i in range(MAX_LISTED + 500)]
    found, skipped = queues_from_answer(answer(*queues))
    assert len(found) == MAX_LISTED
    assert skipped == 500


def test_an_answer_that_is_not_a_list_of_queues_is_none():
    for body in (None, [], {"success": False, "result": []}, {"success": True, "result": {"a": 1}}, "x"):
        assert queues_from_answer(body) == (None, 0)
