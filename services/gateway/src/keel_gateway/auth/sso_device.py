"""`keel login --sso`: the browser page that asks the signed-in person to confirm the code
their terminal shows, and the route that confirms it.

Signing in at the IdP is not enough to approve a device login: a link with someone else's
code would otherwise sign their terminal in as you. The page names the code and asks; the
confirmation it posts is single use and lives as long as the sign-in (minutes).
"""

from __future__ import annotations

import html
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from keel_common.contracts.sso import ConfirmSsoDevice, DeviceToConfirm, SsoDeviceConfirmed
from keel_common.crypto.sealed import EphemeralKey
from keel_common.errors import FieldIssue, InvalidInput
from keel_gateway.auth.rate_limit import limit_sign_in
from keel_gateway.auth.routes import sealing_key
from keel_gateway.auth.sealing import AuthSealingKey
from keel_gateway.dependencies import Rpc

CONFIRM_PATH = "/api/v1/auth/sso/device/confirm"
HTML_PAGE = {"content": {"text/html": {"schema": {"type": "string"}}}}

router = APIRouter(tags=["single sign-on"])


def confirmation_page(device: DeviceToConfirm, reply: EphemeralKey) -> HTMLResponse:
    confirmation = reply.open(device.confirmation, context=ConfirmSsoDevice.TYPE).decode()
    code = html.escape(device.user_code)
    return _page(
        "Approve a terminal sign-in?",
        f"<p>You are signed in. A terminal asks to sign in as you; it shows the code "
        f"<strong>{code}</strong>.</p>"
        f"<p>Approve only if you ran <code>keel login --sso</code> yourself, just now, and "
        f"your terminal shows this code. Otherwise close this page.</p>"
        f'<form method="post" action="{CONFIRM_PATH}">'
        f'<input type="hidden" name="confirmation" value="{html.escape(confirmation)}">'
        f'<button type="submit">Approve {code}</button></form>',
    )


@router.post(
    CONFIRM_PATH,
    response_class=HTMLResponse,
    responses={200: HTML_PAGE},
    dependencies=[Depends(limit_sign_in)],
)
async def confirm_device(
    request: Request,
    client: Rpc,
    seal_for_auth: Annotated[AuthSealingKey, Depends(sealing_key)],
) -> HTMLResponse:
    """Approve the device login the page named (a form post from that page)."""
    confirmation = _form_field(await request.body(), "confirmation")
    sealed = await seal_for_auth.seal(confirmation, context=ConfirmSsoDevice.TYPE)
    confirmed = await client.call("auth", ConfirmSsoDevice(confirmation=sealed), SsoDeviceConfirmed)
    return _page(
        "Signed in",
        f"<p>The terminal showing <strong>{html.escape(confirmed.user_code)}</strong> is "
        f"signed in. Return to it; you may close this page.</p>",
    )


def _form_field(body: bytes, name: str) -> str:
    """One field of an application/x-www-form-urlencoded body (no multipart parser needed
    for a page that posts one hidden field)."""
    values = parse_qs(body.decode(errors="replace"), max_num_fields=5).get(name, [])
    if len(values) != 1 or not 1 <= len(values[0]) <= 200:
        reason = "one value of 1 to 200 characters, posted by the confirmation page"
        raise InvalidInput(
            f"{name} is missing or malformed",
            errors=[FieldIssue(field=f"body.{name}", reason=reason)],
        )
    return values[0]


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Keel: {html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
