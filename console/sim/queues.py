"""The simulated account's Queues as the Queues API lists them (ids, producers, the consumer's settings).

Pure: the backlog itself is the traffic model's (:meth:`console.sim.traffic.TrafficModel.queue_metrics`).
"""

from __future__ import annotations

from typing import Any

from console.sim.scenarios import QUEUES
from console.sim.timefmt import iso_seconds

CONSUMER_SCRIPT = "queue-processor-production"


def queue_id_to_name(queue_id: str) -> str | None:
    for name, qid in QUEUES.items():
        if qid == queue_id:
            return name
    return None


def queue_details(name: str, started: float, tf_vars: dict[str, Any], producer: str) -> dict[str, Any]:
    """One queue; vau-batch's consumer settings come from the Terraform variables."""
    created = iso_seconds(started - 86400 * 120)
    producers = [] if name == "dead-letter" else [{"type": "worker", "script": producer}]
    consumer = {
        "type": "worker",
        "script": CONSUMER_SCRIPT,
        "queue_name": name,
        "settings": {
            "batch_size": int(tf_vars["queue_batch_size"]) if name == "vau-batch" else 50,
            "max_concurrency": int(tf_vars["worker_count"]) if name == "vau-batch" else 2,
            "max_retries": 3,
            "max_wait_time_ms": 5000,
        },
    }
    return {
        "queue_id": QUEUES[name],
        "queue_name": name,
        "created_on": created,
        "modified_on": created,
        "producers": producers,
        "producers_total_count": len(producers),
        "consumers": [consumer],
        "consumers_total_count": 1,
    }
