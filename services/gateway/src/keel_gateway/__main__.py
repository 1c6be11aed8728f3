"""`keel-gateway`: serve the public API."""

from __future__ import annotations

import uvicorn

from keel_gateway.app import create_app
from keel_gateway.settings import GatewaySettings


def main() -> None:
    settings = GatewaySettings()
    # log_config=None: keep the JSON, redacting logging configured by the app.
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
    )


if __name__ == "__main__":
    main()
