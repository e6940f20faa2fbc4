"""The notebooks in notebooks/ run top to bottom through a real Jupyter kernel (nbclient and
ipykernel, as a newcomer's Jupyter would run them) against the bundled captures, and are committed
without outputs."""
from __future__ import annotations

import json
import os

import pytest

from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_the_notebooks_are_there():
    assert {p.name for p in NOTEBOOKS} >= {"triage.ipynb", "fleet-audit.ipynb"}


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(nb):
    doc = json.loads(nb.read_text())
    for i, cell in enumerate(doc["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None, f"cell {i}: strip its output"
    assert doc["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
@pytest.mark.parametrize("cwd", ["root", "notebooks"])
def test_runs_top_to_bottom_in_a_kernel(nb, cwd, monkeypatch):
    nbformat = pytest.importorskip("nbformat", reason="nbformat not installed (pip install '.[test]')")
    nbclient = pytest.importorskip("nbclient", reason="nbclient not installed (pip install '.[test]')")
    pytest.importorskip("ipykernel", reason="ipykernel not installed (pip install '.[test]')")
    # the kernel imports this tree's sniffprint, wherever the package is installed
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    doc = nbformat.read(nb, as_version=4)
    where = ROOT if cwd == "root" else ROOT / "notebooks"
    client = nbclient.NotebookClient(doc, timeout=300, kernel_name="python3", allow_errors=False,
                                     resources={"metadata": {"path": str(where)}})
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    outputs = [o for c in doc.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the plots rendered
    assert all(c.execution_count for c in doc.cells if c.cell_type == "code")
