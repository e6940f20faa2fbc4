"""Plots draw what they claim: the artists on the axes (bars, cells, labels, ticks), not pixels only."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib import dates as mdates  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from sniffprint import analyze, plots  # noqa: E402
from sniffprint.report import Report  # noqa: E402
from tests.conftest import PCAPS  # noqa: E402

ALL = [plots.plot_exposure_timeline, plots.plot_protocol_matrix, plots.plot_top_clients, plots.plot_tls,
       plots.plot_bytes_by_protection]


@pytest.fixture(scope="module")
def report():
    return analyze(sorted(str(p) for p in PCAPS.glob("*.pcap*")))


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def _print_flows(report):
    f = report.flows_frame()
    return f[f["print"].fillna(True).astype(bool)]


@pytest.mark.parametrize("plot", ALL, ids=lambda p: p.__name__)
def test_every_plot_draws_on_the_given_axes_from_a_report_or_a_frame(plot, report, ax):
    assert plot(report, ax=ax) is ax
    assert ax.get_title()
    fig, other = plt.subplots()
    assert plot(report.flows_frame(), ax=other) is other
    assert other.get_title() == ax.get_title()
    plt.close(fig)


@pytest.mark.parametrize("plot", ALL, ids=lambda p: p.__name__)
def test_every_plot_says_so_when_there_is_nothing_to_draw(plot, ax):
    plot(Report(), ax=ax)
    assert ax.get_title()
    assert not ax.patches or plot is plots.plot_bytes_by_protection
    if plot is not plots.plot_bytes_by_protection:
        assert any(t.get_text().startswith("no ") for t in ax.texts)


def test_plots_without_ax_make_their_own_figure(report):
    ax = plots.plot_top_clients(report)
    assert ax.figure is not None
    plt.close(ax.figure)


def test_png_renders_without_pyplot(report):
    data = plots.png(plots.plot_protocol_matrix, report, width=4, height=2, dpi=50)
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000


# ---------------------------------------------------------------------------- timeline
def test_timeline_has_one_bar_per_print_flow_coloured_by_protection(report, ax):
    flows = _print_flows(report)
    plots.plot_exposure_timeline(report, ax=ax)
    assert len(ax.patches) == len(flows)
    colours = sorted(to_hex(p.get_facecolor()) for p in ax.patches)
    expected = sorted(plots.COLORS[str(p)] for p in flows["protection"])
    assert colours == expected
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert set(labels) == {f"{ip} ({','.join(sorted(set(map(str, g['service']))))})"
                           for ip, g in flows.groupby("server_ip", observed=True)}
    present = [p for p in plots.COLORS if p in set(map(str, flows["protection"]))]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [plots.LABELS[p] for p in present]
    assert {"cleartext", "TLS", "SMB3 encrypted"} <= {t.get_text() for t in ax.get_legend().get_texts()}


def _spread(report, seconds: float) -> pd.DataFrame:
    """The bundled flows moved so that they span ``seconds``, each keeping its duration."""
    f = _print_flows(report).copy()
    offsets = pd.to_timedelta([seconds * i / (len(f) - 1) for i in range(len(f))], unit="s")
    base = pd.Timestamp("2024-03-01T09:00:00Z")
    f["ts_end"] = base + offsets + (f["ts_end"] - f["ts_start"]).to_numpy()
    f["ts_start"] = base + offsets
    return f


@pytest.mark.parametrize("seconds, locator", [
    (20, mdates.SecondLocator), (45 * 60, mdates.MinuteLocator), (26 * 3600, mdates.HourLocator),
    (14 * 86400, mdates.DayLocator), (400 * 86400, mdates.MonthLocator),
])
def test_timeline_is_readable_from_seconds_to_weeks(report, ax, seconds, locator):
    frame = _spread(report, seconds)
    plots.plot_exposure_timeline(frame, ax=ax)
    assert isinstance(ax.xaxis.get_major_locator(), locator)
    lo, hi = ax.get_xlim()
    ticks = [t for t in ax.get_xticks() if lo <= t <= hi]
    assert 2 <= len(ticks) <= plots.MAX_TICKS + 1
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert len(set(labels)) == len(labels) >= 2  # no two ticks read the same
    # every bar is visible: at least MIN_BAR of the span shown (a sub-second job in two weeks too)
    span = (frame["ts_end"].max() - frame["ts_start"].min()).total_seconds() / 86400
    assert min(p.get_width() for p in ax.patches) >= plots.MIN_BAR * max(span, 2 / 86400) * 0.999
    assert all(lo <= p.get_x() and p.get_x() + p.get_width() <= hi for p in ax.patches)


def test_cleartext_bars_are_drawn_on_top(report, ax):
    """Days of captures on one axis make bars overlap: a protected bar never hides an exposed one."""
    plots.plot_exposure_timeline(report, ax=ax)
    order = [to_hex(p.get_facecolor()) for p in ax.patches]
    clear = [i for i, c in enumerate(order) if c == plots.COLORS["none"]]
    other = [i for i, c in enumerate(order) if c != plots.COLORS["none"]]
    assert clear and other and min(clear) > max(other)


def test_timeline_minutes_apart_bars_are_not_invisible(report, ax):
    """The bug that started it: bars of flows lasting a second, minutes apart, drew 0 pixels wide."""
    plots.plot_exposure_timeline(_spread(report, 300), ax=ax)
    fig = ax.figure
    fig.canvas.draw()
    widths_px = [p.get_window_extent().width for p in ax.patches]
    assert min(widths_px) >= 1.0


def test_every_protection_has_a_colour_and_a_label():
    from sniffprint.model import Protection

    assert set(plots.COLORS) == set(plots.LABELS) == {p.value for p in Protection}


def test_time_scale_steps():
    assert plots._time_scale(5) == plots.TimeScale("second", 1, "%H:%M:%S")
    assert plots._time_scale(60).unit == "second"
    assert plots._time_scale(3600).unit == "minute"
    assert plots._time_scale(7 * 86400) == plots.TimeScale("day", 1, "%d %b")
    assert plots._time_scale(10 * 365 * 86400).unit == "month"


# ---------------------------------------------------------------------------- matrix
def test_protocol_matrix_cells_say_the_protection_of_their_flows(report, ax):
    flows = _print_flows(report)
    plots.plot_protocol_matrix(report, ax=ax)
    grid = ax.images[0].get_array()
    cols = [t.get_text() for t in ax.get_xticklabels()]
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert rows == ["10.77.0.20", "fd77::20"]  # most bytes in clear first
    states = list(plots._CELL)
    assert states[grid[rows.index("10.77.0.20"), cols.index("raw9100/9100")]] == "clear"
    assert states[grid[rows.index("10.77.0.20"), cols.index("tls/9100")]] == "protected"
    assert states[grid[rows.index("10.77.0.20"), cols.index("smb/445")]] == "mixed"
    assert states[grid[rows.index("fd77::20"), cols.index("tls/631")]] == "empty"
    assert sum(int(t.get_text()) for t in ax.texts) == len(flows)  # every print flow counted once


@pytest.mark.parametrize("protections, state", [
    ({"none"}, "clear"), ({"tls"}, "protected"), ({"none", "tls"}, "mixed"), ({"unknown"}, "unknown"),
    ({"smb3-encrypted", "unknown"}, "unknown"), (set(), "empty"), ({"rpc-privacy"}, "protected"),
])
def test_cell_state(protections, state):
    assert plots.cell_state(protections) == state


# ---------------------------------------------------------------------------- clients, TLS
def test_top_clients_ranks_clients_by_bytes_in_clear(report, ax):
    plots.plot_top_clients(report, ax=ax)
    flows = _print_flows(report)
    clear = flows[flows["protection"] == "none"].groupby("client_ip", observed=True)["c2s_bytes"].sum()
    assert [t.get_text() for t in ax.get_yticklabels()] == list(clear.sort_values(ascending=False).index)
    assert [p.get_width() for p in ax.patches] == sorted(clear.tolist(), reverse=True)
    assert any(t.get_text().strip().endswith("KB") for t in ax.texts)


def test_top_clients_keeps_n(report, ax):
    frame = _print_flows(report).copy()
    frame["client_ip"] = [f"10.0.0.{i}" for i in range(len(frame))]
    plots.plot_top_clients(frame, ax=ax, n=3)
    assert len(ax.patches) == 3


def test_tls_versions_stacked_by_certificate_state(report, ax):
    plots.plot_tls(report, ax=ax)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["TLSv1.3", "TLSv1.2"]
    by_label = {}
    for container in ax.containers:
        by_label[container.get_label()] = [p.get_width() for p in container]
    hidden = sum(1 for f in report.flows if f.print and f.tls_version == "TLSv1.3" and f.cert_observable is False)
    assert by_label["hidden (TLS 1.3)"] == [hidden, 0] and hidden == 11  # the fleet captures add 5
    assert by_label["self-signed"] == [0, 1]


def test_tls_flags_weak_versions_and_expired_certificates(report, ax):
    f = _print_flows(report)
    f = f[f["tls_version"] == "TLSv1.2"].copy()
    f["tls_version"] = "TLSv1.0"
    f["tls_weak"] = [["version TLSv1.0"]] * len(f)
    f["cert_not_after"] = "2001-01-01T00:00:00Z"
    plots.plot_tls(f, ax=ax)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["TLSv1.0 (weak)"]
    assert [c.get_label() for c in ax.containers] == ["expired"]


def test_frames_of_several_reports_plot_together(ax):
    a = analyze(str(PCAPS / "raw9100-cups-socket.pcap"))
    b = analyze(str(PCAPS / "tls9100-socat.pcap"))
    both = pd.concat([a.flows_frame(), b.flows_frame()], ignore_index=True)
    plots.plot_exposure_timeline(both, ax=ax)
    assert len(ax.patches) == len(_print_flows(a)) + len(_print_flows(b))
