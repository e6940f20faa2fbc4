from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from sniffprint import analyze  # noqa: E402
from sniffprint.plots import plot_bytes_by_protection, plot_exposure_timeline  # noqa: E402
from tests.conftest import PCAPS  # noqa: E402


def test_plots_draw_on_a_given_axes():
    report = analyze([str(PCAPS / "raw9100-cups-socket.pcap"), str(PCAPS / "tls9100-socat.pcap")])
    fig, (a, b) = plt.subplots(1, 2)
    assert plot_exposure_timeline(report, ax=a) is a
    assert len(a.patches) >= 6  # one bar per print flow
    assert plot_bytes_by_protection(report.flows_frame(), ax=b) is b
    plt.close(fig)


def test_plots_on_an_empty_report():
    from sniffprint.report import Report

    fig, ax = plt.subplots()
    plot_bytes_by_protection(Report(), ax=ax)
    plot_exposure_timeline(Report(), ax=ax)
    plt.close(fig)
