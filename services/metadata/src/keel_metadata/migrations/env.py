"""Alembic environment of the metadata service's database."""

from keel_common.db.fabric import fabric_metadata
from keel_common.db.migrate import run_env
from keel_metadata.annotations import models as _annotations  # noqa: F401
from keel_metadata.artifacts import models as _artifacts  # noqa: F401
from keel_metadata.logged_models import models as _logged_models  # noqa: F401
from keel_metadata.models import Base
from keel_metadata.pipelines import models as _pipelines  # noqa: F401  (register tables)
from keel_metadata.registry import models as _registry  # noqa: F401
from keel_metadata.runs import models as _runs  # noqa: F401
from keel_metadata.stacks import models as _stacks  # noqa: F401
from keel_metadata.tracking import models as _tracking  # noqa: F401

run_env([fabric_metadata, Base.metadata])
