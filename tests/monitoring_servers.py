"""Real Prometheus and Alertmanager servers for tests: each on a free 127.0.0.1 port, with a temporary
storage path, stopped (and waited for) at the end. Alertmanager runs without clustering
(``--cluster.listen-address=`` empty: no gossip port)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
from pathlib import Path
from typing import Iterator

import httpx

from console.sources.tls import shared_ssl_context
from tests.util import required_program, wait_for_sync

#: one TLS context for every request (httpx loads the CA bundle, ~45 ms of CPU, into a new one per call: the
#: readiness polls made one every 50 ms while a server started)
TLS = shared_ssl_context()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/-/ready", timeout=1, verify=TLS).status_code == 200
    except httpx.HTTPError:
        return False


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


@contextlib.contextmanager
def running_alertmanager(tmp_path: Path) -> Iterator[str]:
    program = required_program("prometheus-alertmanager")
    port = free_port()
    config = tmp_path / "alertmanager.yml"
    config.write_text("route:\n  receiver: blackhole\n  group_wait: 0s\nreceivers:\n  - name: blackhole\n")
    (tmp_path / "am-data").mkdir()
    proc = subprocess.Popen(
        [
            program,
            f"--config.file={config}",
            f"--storage.path={tmp_path / 'am-data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_sync(lambda: proc.poll() is not None or _ready(url), timeout=30, message="alertmanager ready")
        assert proc.poll() is None, f"alertmanager exited with {proc.returncode}"
        yield url
    finally:
        _stop(proc)


@contextlib.contextmanager
def running_prometheus(tmp_path: Path, jobs: dict[str, dict], scrape_interval: str = "1s") -> Iterator[str]:
    """``jobs``: job name -> {"targets": ["127.0.0.1:P", ...], "labels": {"env": "production"}}."""
    program = required_program("prometheus")
    port = free_port()
    lines = [
        f"global: {{scrape_interval: {scrape_interval}, evaluation_interval: {scrape_interval}}}",
        "scrape_configs:",
    ]
    for name, job in jobs.items():
        targets = ", ".join(f"'{t}'" for t in job["targets"])
        labels = ", ".join(f"{k}: '{v}'" for k, v in job.get("labels", {}).items())
        lines += [f"  - job_name: {name}", "    static_configs:", f"      - targets: [{targets}]"]
        if labels:
            lines.append(f"        labels: {{{labels}}}")
    (tmp_path / "prometheus.yml").write_text("\n".join(lines) + "\n")
    proc = subprocess.Popen(
        [
            program,
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'prom-data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_sync(lambda: proc.poll() is not None or _ready(url), timeout=30, message="prometheus ready")
        assert proc.poll() is None, f"prometheus exited with {proc.returncode}"
        yield url
    finally:
        _stop(proc)


def wait_for_scrapes(url: str, targets: int, scrapes: int = 2, timeout: float = 60) -> None:
    """Until Prometheus at ``url`` has scraped each of its ``targets`` (down ones too: ``up`` is 0) at least
    ``scrapes`` times, two being what a ``rate()`` needs: a module fixture waits here, in a few cheap
    queries, rather than each test polling the console's pollers (or a running app) until the first rates."""
    query = f"count(count_over_time(up[1h]) >= {scrapes})"

    def scraped() -> bool:
        answer = httpx.get(f"{url}/api/v1/query", params={"query": query}, timeout=5, verify=TLS).json()
        result = answer["data"]["result"]
        return bool(result) and float(result[0]["value"][1]) >= targets

    wait_for_sync(scraped, timeout=timeout, interval=0.2, message=f"{scrapes} scrapes of {targets} targets")


def post_alerts(url: str, alerts: list[dict]) -> None:
    httpx.post(f"{url}/api/v2/alerts", json=alerts, timeout=5, verify=TLS).raise_for_status()


def am_alert_names(url: str) -> set[str]:
    answer = httpx.get(f"{url}/api/v2/alerts", timeout=5, verify=TLS).json()
    return {a["labels"].get("alertname") for a in answer}
