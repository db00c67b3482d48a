"""Offline validation of a Camtrap DP package against the official 1.0.2 profile and schemas.

The official files live in ../shared/camtrap-dp (next to the repository). The profile
refers to the generic Data Package schema and to GeoJSON by URL; with no network, those are
resolved to frictionless's own Data Package profile and its bundled GeoJSON schema. Each CSV
is then validated by frictionless against the local Table Schema (types, formats,
constraints, primary and foreign keys).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import frictionless
import jsonschema
import pytest
import referencing
from django.conf import settings
from frictionless import Package

TABLES = ("deployments", "media", "observations")


def camtrap_dp_dir() -> Path:
    """The official Camtrap DP files, or skip the test saying why."""
    configured = os.environ.get("REIDSITE_SHARED_DIR")
    shared = Path(configured) if configured else Path(settings.BASE_DIR).parent / "shared"
    folder = shared / "camtrap-dp"
    if not (folder / "camtrap-dp-profile.json").is_file():
        pytest.skip(
            f"the official Camtrap DP 1.0.2 schemas are absent: {folder} has no "
            "camtrap-dp-profile.json, so packages cannot be checked against them"
        )
    return folder


def _registry() -> referencing.Registry:
    geojson = Path(frictionless.__file__).parent / "assets" / "profiles" / "geojson.json"
    resources = {
        "https://specs.frictionlessdata.io/schemas/data-package.json": Package.metadata_profile,
        "http://json.schemastore.org/geojson.json": json.loads(geojson.read_text()),
    }
    draft4 = referencing.jsonschema.DRAFT4
    return referencing.Registry().with_resources(
        (url, draft4.create_resource(schema)) for url, schema in resources.items()
    )


def descriptor_errors(descriptor: dict) -> list[str]:
    """datapackage.json against camtrap-dp-profile.json (JSON Schema draft 4)."""
    profile = json.loads((camtrap_dp_dir() / "camtrap-dp-profile.json").read_text())
    validator = jsonschema.Draft4Validator(
        profile, registry=_registry(), format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    return [
        f"datapackage.json {'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(descriptor)
    ]


def table_errors(folder: Path, descriptor: dict) -> list[str]:
    """Each CSV resource against its local official Table Schema, keys included."""
    official = camtrap_dp_dir()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        local = json.loads(json.dumps(descriptor))
        local.pop("profile", None)  # a URL frictionless would try to fetch
        for resource in local["resources"]:
            if resource.get("name") in TABLES:
                schema = f"{resource['name']}-table-schema.json"
                shutil.copy(official / schema, work / schema)
                shutil.copy(folder / resource["path"], work / resource["path"])
                resource["schema"] = schema
        (work / "datapackage.json").write_text(json.dumps(local))
        report = frictionless.validate(str(work / "datapackage.json"))
    errors = [f"{e.type}: {e.message}" for e in report.errors]
    for task in report.tasks:
        errors += [f"{task.name}: {e.message}" for e in task.errors]
    return errors


def package_errors(package: bytes | Path) -> list[str]:
    """Every problem of a zipped (bytes) or unpacked (folder) package; [] when it is valid."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if isinstance(package, bytes):
            with zipfile.ZipFile(io.BytesIO(package)) as archive:
                archive.extractall(folder)
        else:
            folder = package
        descriptor = json.loads((folder / "datapackage.json").read_text())
        for name in TABLES:
            if not any(r.get("name") == name for r in descriptor.get("resources", [])):
                return [f"datapackage.json lists no {name} resource"]
        return descriptor_errors(descriptor) + table_errors(folder, descriptor)


def read_package(package: bytes) -> tuple[dict, dict[str, list[dict]]]:
    """(datapackage.json, {table name: rows as dicts}) of a zipped package."""
    import csv

    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        descriptor = json.loads(archive.read("datapackage.json"))
        tables = {
            name: list(csv.DictReader(io.StringIO(archive.read(f"{name}.csv").decode())))
            for name in TABLES
        }
    return descriptor, tables


def example_dir() -> Path:
    """The official example package with its ten images, or skip saying why."""
    folder = camtrap_dp_dir() / "example"
    if not (folder / "datapackage.json").is_file() or not any(folder.glob("media/*.JPG")):
        pytest.skip(f"the official Camtrap DP example package or its images are absent ({folder})")
    return folder


def example_copy(target: Path, edit=None) -> Path:
    """A copy of the example package in `target`; `edit(rows)` may change observations.csv."""
    shutil.copytree(example_dir(), target)
    if edit is not None:
        edit_csv(target / "observations.csv", edit)
    return target


def edit_csv(path: Path, edit) -> None:
    """Rewrite the CSV at `path` after `edit(rows)` changed its rows (dicts) in place."""
    import csv

    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    edit(rows)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields or [])
        writer.writeheader()
        writer.writerows(rows)
