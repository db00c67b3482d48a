"""The Django side of re-identification: the worker tasks' bridge to worker.pipeline.

`store` loads images and features and writes candidates, `matching` ranks pending sightings
(in full or incrementally), `calibration` refits a project's calibration and threshold.
"""
