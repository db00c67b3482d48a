"""Finding animals (and people, vehicles) in whole camera-trap frames, before matching.

Backends share one small interface (`Detector.detect`: frames of one camera in, boxes per
frame out) and one result type (`Detection`, relative `[x, y, w, h]` boxes as MegaDetector and
Camtrap DP write them). No Django here: the worker maps results onto sightings.

- `megadetector`: a MegaDetector model from a local weights file (the `megadetector` package).
- `motion`: background subtraction over the frames of one event; no weights.
- `none`: the whole frame, one box, as before detection existed.
- MegaDetector batch-output JSON files are read by `mdjson` (the `import` backend).

`datastrip` finds the bars cameras burn into their frames, so neither a detector nor the
matcher looks at them.
"""

from worker.pipeline.detection.base import (
    ANIMAL,
    CATEGORIES,
    PERSON,
    VEHICLE,
    Detection,
    Detector,
    WholeFrame,
    get_detector,
)

__all__ = [
    "ANIMAL",
    "CATEGORIES",
    "PERSON",
    "VEHICLE",
    "Detection",
    "Detector",
    "WholeFrame",
    "get_detector",
]
