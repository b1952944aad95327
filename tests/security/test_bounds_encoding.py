"""A compressed answer cannot get past the body cap: a server answering ``Content-Encoding: gzip,
gzip`` with a 1 kB body (512 MiB of zeros compressed twice) is refused with a clear error, and one
layer of gzip is inflated only up to the cap. The real ``check`` (health) and ``run`` (a runbook HTTP
step) in a subprocess against a server on 127.0.0.1, with the child's own peak memory measured."""

from __future__ import annotations

import functools
import json
import struct
import zlib
from pathlib import Path

import pytest

from tests.security.bounds_util import HostileServer, run_console, write_config

PAGE = (
    b"# TYPE edge_requests_total counter\nedge_requests_total 1\n"
    b"# TYPE edge_errors_total counter\nedge_errors_total 0\n"
)
#: the console imports and runs in well under this; inflating the bomb took 1.6 GB
PEAK_MB = 250


def _gzip(chunks) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    out = [packer.compress(chunk) for chunk in chunks]
    out.append(packer.flush())
    return b"".join(out)


def _gzip_zeros(mib: int) -> bytes:
    """``mib`` MiB of zeros gzipped (a valid member: its CRC-32 and size are right), built without
    compressing them all: after a full flush the compressor starts afresh, so every MiB after the first
    compresses to the same bytes (deflating 512 MiB took 3.6 CPU-s, this takes 0.2)."""
    zeros = bytes(1 << 20)
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)  # raw deflate: the gzip frame is ours
    first = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(zeros, crc)
    body = first + again * (mib - 1) + packer.flush()
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + body + struct.pack("<II", crc, (mib << 20) & 0xFFFFFFFF)


@functools.lru_cache(maxsize=1)
def bombs() -> tuple[bytes, bytes]:
    """(512 MiB of zeros gzipped once: ~530 kB, the same gzipped twice: ~1 kB)."""
    once = _gzip_zeros(512)
    return once, _gzip([once])


def _env(tmp_path: Path) -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["EDGE_CONSOLE_STATE_DIR"] = str(tmp_path / "state")
    env["HOME"] = str(tmp_path)
    return env


@pytest.mark.parametrize(
    "encoding,why",
    [
        ("gzip, gzip", "refused content encoding 'gzip, gzip' (one layer of gzip or deflate at most)"),
        ("gzip", "answer larger than 1 MiB"),
    ],
    ids=["stacked", "one-layer"],
)
def test_bounds_health_gzip_bomb_is_refused_in_bounded_memory(tmp_path, encoding, why):
    once, twice = bombs()
    with HostileServer() as server:
        server.page("/metrics", PAGE)
        server.encoded("/health", twice if "," in encoding else once, encoding)
        cfg = write_config(tmp_path, server.url)
        run = run_console(["check", "--config", str(cfg), "--json", "--window", "0"], timeout=60.0, env=_env(tmp_path))
        asked = server.accepted.get("/health", [])
    assert run.returncode == 2, (run.returncode, run.err[-2000:])
    assert "Traceback" not in run.err, run.err[-2000:]
    assert run.maxrss_mb < PEAK_MB, f"peak {run.maxrss_mb:.0f} MB: the answer was inflated past the cap"
    assert asked and all(a == "identity" for a in asked), asked
    health = json.loads(run.out)["health"]
    assert health["healthy"] is False and health["status"] == "invalid answer", health
    assert health["error"] == f"invalid answer: {why}", health


def test_bounds_runbook_http_step_stacked_gzip_is_refused_in_bounded_memory(tmp_path):
    _, twice = bombs()
    with HostileServer() as server:
        server.encoded("/double", twice, "gzip, gzip")
        book = tmp_path / "bomb.yaml"
        book.write_text(
            "version: 1\n"
            "flows:\n"
            "  - id: read-bomb\n"
            "    title: Read a bomb\n"
            "    section: Troubleshooting\n"
            "    steps:\n"
            "      - kind: check\n"
            "        title: Read it\n"
            '        http: {method: GET, url: "{env.base_url}/double", timeout: 30}\n'
        )
        cfg = write_config(tmp_path, server.url, f"runbooks: [{book}]\n")
        run = run_console(["run", "read-bomb", "--config", str(cfg)], timeout=60.0, env=_env(tmp_path))
        asked = server.accepted.get("/double", [])
    text = run.out + run.err
    assert run.returncode not in (0, None), (run.returncode, text[-2000:])
    assert "Traceback" not in text, text[-2000:]
    assert run.maxrss_mb < PEAK_MB, f"peak {run.maxrss_mb:.0f} MB: the answer was inflated"
    assert asked and all(a == "identity" for a in asked), asked
    assert (
        f"refused content encoding 'gzip, gzip' (one layer of gzip or deflate at most): GET {server.url}/double" in text
    ), text[-2000:]
