"""Domain models, one file per concern."""

from .batches import Batch, BatchItem
from .decisions import Decision
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
    "Individual",
    "Media",
    "Membership",
    "Project",
    "Role",
    "Sighting",
    "SightingFeatures",
    "Track",
]
