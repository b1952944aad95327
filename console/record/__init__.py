"""Recording what the console saw, and reading it back for replay.

``encode`` turns polls, alerts, tail events, incident entries and flow steps into JSON objects (and
polls back); ``writer.Recorder`` appends them as gzip-compressed JSON lines (0600 in the 0700
``state_dir()/recordings``), secrets masked; ``reader.read_recording`` reads a recording back as
hostile input (bounded line size, depth and count; damaged lines reported ``file:line: what`` and
skipped); ``timeline.ReplayTimeline`` is the virtual clock a replay runs on. ``cli`` adds the
``record`` and ``replay`` commands. No Textual here: the replay UI is ``screens/replay_app.py``.
"""
