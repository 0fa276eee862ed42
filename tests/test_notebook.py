"""The example notebook in docs/ runs top to bottom, offline, so it never rots."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "example.ipynb"


@pytest.mark.long
def test_example_notebook_executes() -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    ).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "open-source-ai" in html and "weights-available" in html
    # No import-time noise (tqdm's "IProgress not found" TqdmWarning in a kernel without ipywidgets).
    stderr = "".join(o.get("text", "") for o in outputs if o.get("name") == "stderr")
    assert "Warning" not in stderr, stderr
    # batch.plot() as a cell's last expression shows the figure once (not again from pyplot's state).
    plot_cell = next(c for c in nb.cells if c.cell_type == "code" and "batch.plot()" in c.source)
    images = [o for o in plot_cell.get("outputs", []) if "image/png" in o.get("data", {})]
    if importlib.util.find_spec("matplotlib") is not None:
        assert len(images) == 1, [o.get("output_type") for o in plot_cell.get("outputs", [])]
