"""Alembic environment of the secrets service's database."""

from keel_common.db.fabric import fabric_metadata
from keel_common.db.migrate import run_env
from keel_secrets.backends import models as _backends  # noqa: F401  (register tables)
from keel_secrets.keys import models as _keys  # noqa: F401
from keel_secrets.models import Base
from keel_secrets.relays import models as _relays  # noqa: F401
from keel_secrets.secrets import models as _secrets  # noqa: F401
from keel_secrets.workspaces import models as _workspaces  # noqa: F401

run_env([fabric_metadata, Base.metadata])
