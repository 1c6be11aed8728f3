"""`keel-metadata`: run the service, or `keel-metadata migrate` to only apply migrations."""

from __future__ import annotations

import sys

from keel_common.service import run_service
from keel_metadata.app import create_runtime


def main() -> None:
    run_service(create_runtime(), sys.argv[1:])


if __name__ == "__main__":
    main()
