"""The notebooks in notebooks/ stay true: every code cell runs against the bundled captures."""
from __future__ import annotations

import json

import matplotlib
import pytest

from tests.conftest import ROOT

matplotlib.use("Agg")

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_cells_run(nb, monkeypatch):
    monkeypatch.chdir(ROOT)
    cells = json.loads(nb.read_text())["cells"]
    scope: dict = {}
    for cell in cells:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), f"{nb.name}", "exec"), scope)  # noqa: S102
    import matplotlib.pyplot as plt

    plt.close("all")


def test_there_is_a_notebook():
    assert NOTEBOOKS
