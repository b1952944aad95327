"""The simulator's control-plane errors: bad input, and the Cloudflare API errors wrangler handles itself."""

from __future__ import annotations


class SimError(ValueError):
    """Bad input to the simulator's control plane; the message says what is wrong."""


class VersionNotDeployed(SimError):
    """A secret edit while the latest version is not the deployed one (a gradual rollout): the API's
    error 10215 (workers-sdk ``secret/index.ts``: ``VERSION_NOT_DEPLOYED_ERR_CODE``)."""


class SecretsChanged(SimError):
    """A rollback to a version whose secrets differ from today's: the API's error 10220 (workers-sdk
    ``versions/rollback/index.ts``: ``CANNOT_ROLLBACK_WITH_MODIFIED_SECERT_CODE``); wrangler asks and retries
    with ``force``."""

    def __init__(self, version_id: str, names: list[str]) -> None:
        super().__init__(
            f"A rollback to version {version_id} would revert secrets. "
            f"The following secrets have changed: {', '.join(names)}"
        )
        self.names = names
