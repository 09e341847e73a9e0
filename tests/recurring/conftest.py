"""The notification tests' real local servers, for the end-to-end cases here too."""

from tests.notify.conftest import receiver, smtp_server  # noqa: F401 (fixtures)
