import csv
import json

import pytest

from tests.pipeline.conftest import SMALL
from tests.pipeline.patterns import view as pattern_image
from worker.pipeline import evaluate


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    rows = []
    for ind in range(3):
        folder = root / "images" / f"animal{ind}"
        folder.mkdir(parents=True)
        for view in range(3):
            path = folder / f"{view}.jpg"
            pattern_image(ind, view, size=160).save(path, quality=92)
            split = "test" if view == 2 else "train"
            rows.append([f"{ind}-{view}", f"animal{ind}", f"images/animal{ind}/{view}.jpg", split])
    with open(root / "metadata.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["image_id", "identity", "path", "split"])
        writer.writerows(rows)
    return root


@pytest.mark.parametrize("protocol", ["closed", "open"])
def test_evaluate_cli_writes_results(dataset, tmp_path, protocol, capsys):
    out = tmp_path / "results.json"
    cache = tmp_path / "cache"
    args = [
        "--data",
        str(dataset),
        "--protocol",
        protocol,
        "--out",
        str(out),
        "--config",
        json.dumps(SMALL),
        "--cache-dir",
        str(cache),
        "--calibration-queries",
        "8",
        "--device",
        "cpu",
    ]
    evaluate.main(args)
    results = json.loads(out.read_text())
    for method in ("global", "aliked", "fused"):
        assert {"top1", "top5", "mAP", "BAKS", "BAUS", "score"} <= set(results[method])
        assert 0.0 <= results[method]["top1"] <= results[method]["top5"] <= 1.0
    assert results["throughput"]["queries_per_s"] > 0
    assert "fused" in capsys.readouterr().out  # the printed table
    if protocol == "open":
        assert results["meta"]["held_out_identities"] == 1
        assert results["fused"]["BAUS"] is not None
    else:
        assert results["fused"]["top1"] == 1.0  # three very distinct patterns
        assert results["fused"]["BAUS"] is None
    assert any(cache.rglob("*.npz"))  # features cached for the next run


def test_held_out_identities_are_deterministic():
    names = {f"id{i}" for i in range(40)}
    first = evaluate.held_out_identities(names, 0.25, seed=0)
    assert first == evaluate.held_out_identities(set(sorted(names, reverse=True)), 0.25, seed=0)
    assert len(first) == 10
    assert first != evaluate.held_out_identities(names, 0.25, seed=1)
