"""`Client`: the Keel gateway, typed.

with Client.from_config() as keel:          # what `keel login` saved
    ml = keel.workspace("ml-prod")          # by slug or id
    ml.secrets.create("db/main", {"PASSWORD": "..."})
    for run in ml.runs.list(status=["failed"], limit=20):
        print(run.name)
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from types import TracebackType

import httpx

from keel.auth import ApiKeyAuth, TokenAuth
from keel.config import DEFAULT_URL, Credentials
from keel.errors import NotLoggedIn
from keel.http import Http
from keel.models import Tokens, Workspace
from keel.resources.access import Members, ServiceAccounts
from keel.resources.artifacts import Artifacts
from keel.resources.auth import Sessions, SingleSignOn
from keel.resources.lookup import as_uuid, find
from keel.resources.metadata import Pipelines, Runs, Stacks
from keel.resources.organization import Roles, Teams, Workspaces
from keel.resources.registry import Models
from keel.resources.relays import Relays
from keel.resources.secrets import Secrets
from keel.retry import RetryPolicy


class WorkspaceClient:
    """Everything that lives inside one workspace."""

    def __init__(self, http: Http, workspace_id: uuid.UUID) -> None:
        self.id = workspace_id
        self.members = Members(http, workspace_id)
        self.service_accounts = ServiceAccounts(http, workspace_id)
        self.secrets = Secrets(http, workspace_id)
        self.relays = Relays(http, workspace_id)
        self.stacks = Stacks(http, workspace_id)
        self.pipelines = Pipelines(http, workspace_id)
        self.runs = Runs(http, workspace_id)
        self.artifacts = Artifacts(http, workspace_id)
        self.models = Models(http, workspace_id)


class Client:
    def __init__(
        self,
        url: str | None = None,
        *,
        api_key: str | None = None,
        access_token: str | None = None,
        refresh_token: str | None = None,
        on_refresh: Callable[[Tokens], None] | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """Without `api_key` or `access_token` the client is anonymous: enough to sign in.

        `url` defaults to $KEEL_URL. An expired access token is refreshed with
        `refresh_token`, and the new pair handed to `on_refresh` (refresh tokens work once).
        """
        auth: httpx.Auth | None = None
        if api_key:
            auth = ApiKeyAuth(api_key)
        elif access_token:
            auth = TokenAuth(access_token, refresh_token, on_refresh)
        self._http = Http(
            url or os.environ.get("KEEL_URL") or DEFAULT_URL,
            auth=auth,
            retry=retry,
            timeout=timeout,
            transport=transport,
        )
        self.url = self._http.url
        self.sessions = Sessions(self._http)
        self.workspaces = Workspaces(self._http)
        self.teams = Teams(self._http)
        self.roles = Roles(self._http)
        self.sso = SingleSignOn(self._http)

    @classmethod
    def from_config(cls, url: str | None = None, **options: object) -> Client:
        """A client signed in as `keel login` left it; refreshed tokens are saved back."""
        saved = Credentials.load()
        if saved is None or not (saved.api_key or saved.access_token):
            raise NotLoggedIn("not signed in: run `keel login` first")
        if url is not None and url.rstrip("/") != saved.url.rstrip("/"):
            # Saved tokens are for the gateway that issued them; sending them elsewhere
            # (a stray $KEEL_URL) would hand them to whoever answers there.
            raise NotLoggedIn(
                f"signed in to {saved.url}, not {url}: run `keel login --url {url}` first"
            )

        def save(tokens: Tokens) -> None:
            saved.access_token, saved.refresh_token = tokens.access_token, tokens.refresh_token
            saved.save()

        return cls(
            url or saved.url,
            api_key=saved.api_key,
            access_token=saved.access_token,
            refresh_token=saved.refresh_token,
            on_refresh=save,
            **options,  # type: ignore[arg-type]
        )

    def workspace(self, ref: uuid.UUID | str) -> WorkspaceClient:
        """A workspace by id (no call made) or by slug or name (looked up)."""
        workspace_id = as_uuid(ref)
        if workspace_id is None:
            workspace_id = self.find_workspace(str(ref)).id
        return WorkspaceClient(self._http, workspace_id)

    def find_workspace(self, ref: uuid.UUID | str) -> Workspace:
        """The visible workspace with this id, slug or name."""
        listed = self.workspaces.list()
        for workspace in listed:
            if workspace.slug == ref:
                return workspace
        return find(listed, ref, "workspace")

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
