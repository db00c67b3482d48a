"""Domain models, one file per concern."""

from .batches import Batch, BatchItem
from .decisions import Decision
from .global_models import GlobalModelVersion
from .individuals import Individual
from .media import DetectedObject, Event, Media
from .projects import Deployment, Membership, Project, Role
from .sightings import Candidate, Sighting, SightingFeatures, Track

__all__ = [
    "Batch",
    "BatchItem",
    "Candidate",
    "Decision",
    "DetectedObject",
    "Deployment",
    "Event",
    "GlobalModelVersion",
    "Individual",
    "Media",
    "Membership",
    "Project",
    "Role",
    "Sighting",
    "SightingFeatures",
    "Track",
]
