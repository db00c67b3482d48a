import pytest

from identification.models import Deployment


@pytest.fixture
def deployment(project):
    return Deployment.objects.create(
        project=project, code="CAM-01", name="River bend", latitude=-25.1, longitude=31.9
    )
