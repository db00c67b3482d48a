"""Exports for ecologists: the sightings table, capture histories and Camtrap DP packages.

`filters.filtered_sightings` is the one definition of "which sightings" every export shares,
so a CSV and a Camtrap DP package made with the same filters describe the same rows.
"""
