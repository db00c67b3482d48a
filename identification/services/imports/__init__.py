"""Imports of existing data into a project: labelled catalogues, deployments, Camtrap DP."""
