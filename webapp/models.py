"""Imports every domain's models so that the metadata (and Alembic) sees all tables."""

from webapp.accountability import models as accountability_models  # noqa: F401
from webapp.archive import models as archive_models  # noqa: F401 (imports documents too)
from webapp.assist import models as assist_models  # noqa: F401
from webapp.audit import models as audit_models  # noqa: F401
from webapp.auth import models as auth_models  # noqa: F401
from webapp.calendar import models as calendar_models  # noqa: F401
from webapp.escalation import models as escalation_models  # noqa: F401
from webapp.inspections import models as inspection_models  # noqa: F401
from webapp.notify import models as notify_models  # noqa: F401
from webapp.numbering import SequenceCounter  # noqa: F401
from webapp.once import SubmissionKey  # noqa: F401
from webapp.org import models as org_models  # noqa: F401
from webapp.people import models as people_models  # noqa: F401
from webapp.recurring import models as recurring_models  # noqa: F401
from webapp.scores import models as score_models  # noqa: F401
from webapp.supervision import models as supervision_models  # noqa: F401
from webapp.supervision import policy as supervision_policy  # noqa: F401
