"""Alembic environment of the auth service's database."""

from keel_auth.audit import models as _audit  # noqa: F401  (register tables)
from keel_auth.device import models as _device  # noqa: F401
from keel_auth.identity import models as _identity  # noqa: F401
from keel_auth.keys import models as _keys  # noqa: F401
from keel_auth.models import Base
from keel_auth.rbac import models as _rbac  # noqa: F401
from keel_auth.service_accounts import models as _service_accounts  # noqa: F401
from keel_auth.sessions import models as _sessions  # noqa: F401
from keel_auth.sso import models as _sso  # noqa: F401
from keel_auth.teams import models as _teams  # noqa: F401
from keel_common.db.fabric import fabric_metadata
from keel_common.db.migrate import run_env

run_env([fabric_metadata, Base.metadata])
