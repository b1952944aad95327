"""A drill counts the edge as recovered only on polls that show the metrics that were critical: the first
scrape after an outage (or a scenario switch) has no rate yet, and "no value" is not "back to normal"."""

from __future__ import annotations

from console.drill.score import DrillObserver
from console.drill.script import load_script

DRILL = """\
name: DDoS
duration: 60s
timeline:
  - at: 0s
    scenario: ddos
"""


def observer(tmp_path) -> DrillObserver:
    path = tmp_path / "drill.yaml"
    path.write_text(DRILL)
    return DrillObserver(load_script(path))


def test_polls_without_the_critical_metrics_value_do_not_count_as_recovery(tmp_path):
    obs = observer(tmp_path)
    obs.poll(1, live=True, critical=["request_rate"])
    # the metrics source came back: its first two scrapes have no request rate yet
    obs.poll(2, live=True, critical=[], unknown=["request_rate"])
    obs.poll(3, live=True, critical=[], unknown=["request_rate"])
    assert obs.phases[0].recovered is None
    obs.poll(4, live=True, critical=["request_rate"])  # still under attack
    assert obs.score()["phases"][0]["time_to_recovery_s"] is None


def test_two_polls_with_the_metric_back_below_critical_are_the_recovery(tmp_path):
    obs = observer(tmp_path)
    obs.poll(1, live=True, critical=["request_rate"])
    obs.poll(2, live=True, critical=[], unknown=["request_rate"])  # no evidence either way
    obs.poll(3, live=True, critical=[], unknown=["queue_backlog"])  # another metric unknown: evidence
    obs.poll(4, live=True, critical=[])
    assert obs.phases[0].recovered == 3
    assert obs.score()["phases"][0]["time_to_recovery_s"] == 3
