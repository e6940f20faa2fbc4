"""The fleet plots draw a migration.fleet_frame: bars per period and verdict, a cell per host and period."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from sniffprint import plots  # noqa: E402
from tests.conftest import PCAPS  # noqa: E402


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


@pytest.fixture(scope="module")
def fleet():
    from sniffprint import migration

    return migration.fleet_frame([("2026-03-02", PCAPS / "migration-before.pcap"),
                                  ("2026-03-09", PCAPS / "migration-after.pcap")])


@pytest.mark.parametrize("kind", ["printer", "client"])
def test_fleet_trend_stacks_hosts_by_verdict_per_period(fleet, kind, ax):
    assert plots.plot_fleet_trend(fleet, kind=kind, ax=ax) is ax
    heights = {}
    for bar in ax.patches:
        heights.setdefault(to_hex(bar.get_facecolor()), []).append(bar.get_height())
    assert sum(sum(h) for h in heights.values()) == len(fleet[fleet["kind"] == kind])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["02 Mar 2026", "09 Mar 2026"]


def test_fleet_grid_has_a_cell_per_host_and_period(fleet, ax):
    plots.plot_fleet_grid(fleet, kind="client", ax=ax)
    grid = ax.images[0].get_array()
    assert grid.shape == (2, 2)  # two workstations, two days
    # exposed most often first: ws2 never moved, ws moved to TLS on the second day
    assert [t.get_text() for t in ax.get_yticklabels()] == ["10.77.0.11", "10.77.0.10"]
    labels = {t.get_text() for t in ax.get_legend().get_texts()}
    assert labels == {"exposed", "protected"}


def test_fleet_plots_say_so_when_empty_and_refuse_an_unknown_kind(fleet, ax):
    from sniffprint import migration

    plots.plot_fleet_trend(migration.fleet_frame([]), ax=ax)
    assert any(t.get_text().startswith("no ") for t in ax.texts)
    with pytest.raises(ValueError, match="printer or client"):
        plots.plot_fleet_grid(fleet, kind="sensor", ax=ax)
