"""Put on PYTHONPATH (with KEEL_TEST_EGRESS_LOG set), this makes every Python process of a
stack note each address it binds, connects or sends to, or looks up (Python's audit
events, PEP 578), one JSON line per event. tests/support/egress.py reads the notes.

Only calls made through Python's socket module raise these events: a C event loop
(uvloop) connects on its own. tests/support/egress.py also samples every process's sockets
from the kernel's tables, which covers those and the native components.
"""

import json
import os
import sys

_LOG = os.environ.get("KEEL_TEST_EGRESS_LOG")
_EVENTS = {"socket.bind", "socket.connect", "socket.sendto", "socket.getaddrinfo"}


def _note(event: str, args: tuple[object, ...]) -> None:
    if event not in _EVENTS or _LOG is None:
        return
    # getaddrinfo(host, port, ...); the others (socket, address): an (ip, port...) tuple,
    # or a Unix socket's path.
    host = args[0] if event == "socket.getaddrinfo" else args[1]
    if isinstance(host, tuple):
        host = host[0]
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    line = json.dumps({"pid": os.getpid(), "event": event, "host": host})
    with open(_LOG, "a") as log:
        log.write(line + "\n")


if _LOG:
    sys.addaudithook(_note)
