import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A Korean request leaves Korean active in the thread; later tests expect the default."""
    yield
    translation.activate(settings.LANGUAGE_CODE)
