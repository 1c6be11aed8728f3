"""`keel-auth`: run the service; `keel-auth migrate` only migrates; `keel-auth
rotate-signing-key` makes a new JWT signing key (the old one keeps verifying)."""

from __future__ import annotations

import sys

from keel_auth.app import create_runtime
from keel_common.service import run_service


def main() -> None:
    run_service(create_runtime(), sys.argv[1:])


if __name__ == "__main__":
    main()
