"""The app's typed event bus (console/app/events.py): order, unsubscribe, a failing handler."""

from __future__ import annotations

import logging
import threading

from console.app.events import AlertsUpdated, AuditRecorded, EventBus, PollCompleted, ScenarioSwitched


def test_handlers_get_their_type_only_in_subscription_order():
    bus = EventBus()
    seen: list[tuple[str, object]] = []
    bus.subscribe(PollCompleted, lambda e: seen.append(("first", e.result)))
    bus.subscribe(AuditRecorded, lambda e: seen.append(("audit", e.record)))
    bus.subscribe(PollCompleted, lambda e: seen.append(("second", e.result)))
    assert bus.publish(PollCompleted(7)) == 0
    bus.publish(AuditRecorded({"event": "step"}))
    bus.publish(ScenarioSwitched("ddos"))  # nobody listens: nothing happens
    assert seen == [("first", 7), ("second", 7), ("audit", {"event": "step"})]


def test_unsubscribe_stops_delivery_and_a_second_subscribe_is_one_subscription():
    bus = EventBus()
    seen: list[str] = []

    def handler(event: ScenarioSwitched) -> None:
        seen.append(event.name)

    off = bus.subscribe(ScenarioSwitched, handler)
    again = bus.subscribe(ScenarioSwitched, handler)  # same handler: kept once
    assert bus.handlers(ScenarioSwitched) == (handler,)
    bus.publish(ScenarioSwitched("latency"))
    off()
    again()  # unsubscribing twice is harmless
    bus.publish(ScenarioSwitched("normal"))
    assert seen == ["latency"]
    assert bus.handlers(ScenarioSwitched) == ()


def test_a_failing_handler_is_reported_and_the_others_still_run():
    errors: list[tuple[object, object, BaseException]] = []
    bus = EventBus(on_error=lambda event, handler, exc: errors.append((event, handler, exc)))
    seen: list[object] = []

    def broken(event: AlertsUpdated) -> None:
        raise ValueError("pane gone")

    bus.subscribe(AlertsUpdated, broken)
    bus.subscribe(AlertsUpdated, lambda e: seen.append(e.error))
    event = AlertsUpdated((), "alertmanager: connection refused")
    assert bus.publish(event) == 1
    assert seen == ["alertmanager: connection refused"]
    assert len(errors) == 1 and errors[0][0] is event and errors[0][1] is broken
    assert isinstance(errors[0][2], ValueError)


def test_without_an_error_hook_a_failing_handler_is_logged_not_raised(caplog):
    bus = EventBus()
    bus.subscribe(PollCompleted, lambda e: 1 / 0)
    with caplog.at_level(logging.ERROR, logger="console.app.events"):
        assert bus.publish(PollCompleted(None)) == 1
    assert "PollCompleted handler" in caplog.text and "ZeroDivisionError" in caplog.text


def test_a_handler_subscribed_during_a_publish_hears_the_next_event():
    bus = EventBus()
    seen: list[str] = []

    def late(event: PollCompleted) -> None:
        seen.append(f"late {event.result}")

    def first(event: PollCompleted) -> None:
        seen.append(f"first {event.result}")
        bus.subscribe(PollCompleted, late)

    bus.subscribe(PollCompleted, first)
    bus.publish(PollCompleted(1))
    bus.publish(PollCompleted(2))
    assert seen == ["first 1", "first 2", "late 2"]


def test_publishing_from_several_threads_delivers_every_event():
    bus = EventBus()
    seen: list[int] = []
    lock = threading.Lock()

    def handler(event: AuditRecorded) -> None:
        with lock:
            seen.append(event.record["n"])

    bus.subscribe(AuditRecorded, handler)
    threads = [
        threading.Thread(target=lambda k=k: [bus.publish(AuditRecorded({"n": k * 100 + i})) for i in range(100)])
        for k in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(seen) == [k * 100 + i for k in range(4) for i in range(100)]
