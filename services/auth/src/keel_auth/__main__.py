"""`keel-auth`: run the service, or `keel-auth migrate` to only apply migrations."""

from __future__ import annotations

import sys

from keel_auth.app import create_runtime
from keel_common.service import run_service


def main() -> None:
    run_service(create_runtime(), sys.argv[1:])


if __name__ == "__main__":
    main()
