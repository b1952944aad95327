"""``edge-console record --out FILE [--seconds N]`` and ``edge-console replay FILE [--speed N] [--from TIME]``.

``record`` polls the configured (or simulated) edge headless and writes what the console would have
seen until ``--seconds`` have passed or SIGINT/SIGTERM (both stop it cleanly: the file is finished and
fsynced). ``replay`` opens the TUI on a recording (``screens/replay_app.py``), badged REPLAY, read-only.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from console.limits import MAX_DURATION_S


def cmd_record(args: argparse.Namespace) -> int:
    from console.paths import state_dir
    from console.record.follow import StateFollower
    from console.record.live import header_for, record_live
    from console.record.writer import Recorder, resolve_out, secret_values
    from console.session import open_session_from_args

    seconds = args.seconds
    if seconds is not None and not 0 < seconds <= MAX_DURATION_S:
        print(f"edge-console record: --seconds must be between 0 and {int(MAX_DURATION_S)}", file=sys.stderr)
        return 2
    path = resolve_out(args.out)
    session = open_session_from_args(args)
    try:
        try:
            recorder = Recorder(path, secrets=secret_values(session.config, session.env), header=header_for(session))
        except FileExistsError:
            print(f"edge-console record: {path} exists: choose another name", file=sys.stderr)
            return 2
        print(f"recording to {path} ({'until interrupted' if seconds is None else f'{seconds:g} s'})", file=sys.stderr)

        async def main() -> int:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            try:
                return await record_live(
                    session,
                    recorder,
                    seconds=seconds,
                    stop=stop,
                    tail=not args.no_tail,
                    follow=StateFollower(state_dir()),
                )
            finally:
                for sig in (signal.SIGINT, signal.SIGTERM):
                    loop.remove_signal_handler(sig)

        try:
            polls = asyncio.run(main())
        finally:
            recorder.close()
        if recorder.error:
            print(f"edge-console record: {recorder.error}", file=sys.stderr)
            return 1
        print(
            f"recorded {polls} polls, {recorder.records} records, {recorder.bytes_out} bytes to {path}"
            + (f" ({recorder.dropped} dropped: the writer fell behind)" if recorder.dropped else ""),
            file=sys.stderr,
        )
        return 0
    finally:
        session.close()


def cmd_replay(args: argparse.Namespace) -> int:
    from console.frontends import tui_runner
    from console.record.reader import RecordingError, read_recording
    from console.record.timeline import parse_from
    from console.record.writer import resolve_replay_path

    try:
        recording = read_recording(resolve_replay_path(args.file))
    except RecordingError as exc:
        print(f"edge-console replay: {exc}", file=sys.stderr)
        return 2
    for problem in recording.problems:
        print(f"edge-console replay: {problem}", file=sys.stderr)
    if recording.damaged:
        print(f"edge-console replay: {recording.damaged} damaged line(s) skipped", file=sys.stderr)
    if not recording.records:
        print(f"edge-console replay: {recording.path}: nothing recorded", file=sys.stderr)
        return 2
    start = None
    if args.from_:
        try:
            start = parse_from(args.from_, recording.start, recording.end)
        except ValueError as exc:
            print(f"edge-console replay: {exc}", file=sys.stderr)
            return 2
    return tui_runner("screens.replay_app:run_replay")((recording, args.speed, start, getattr(args, "theme", None)))
