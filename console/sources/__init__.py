"""Data sources: async httpx scraping of the metrics page, the health endpoint, and the poller.

``EdgePoller(config, env).poll() -> PollResult`` is what the TUI and ``edge-console check`` use.
"""
