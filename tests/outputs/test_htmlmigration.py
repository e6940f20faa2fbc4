"""outputs/htmlmigration.py: the workstations section, the printers with cleartext still enabled
beside TLS (with their evidence flows), and the diff page; every string escaped, nothing loaded."""
from __future__ import annotations

import dataclasses

from sniffprint.findings.diff import compare
from sniffprint.outputs.htmlmigration import render_diff, still_enabled, workstations_section
from tests.findings.test_diff import AFTER, BEFORE, port, printer


def test_workstations_puts_who_still_prints_in_clear_first_and_escapes():
    protected, clear = AFTER.clients[0], AFTER.clients[1]
    clear = dataclasses.replace(clear, protocols_clear=("raw9100",), jobs_clear=1, hostnames=("<b>ws2</b>",),
                                reason="prints in clear: raw9100 to 10.0.0.20 (1 job)")
    html = workstations_section([protected, clear])
    assert html.index("10.0.0.11") < html.index("10.0.0.10")  # still in clear: listed first
    assert "1 of 2 workstation(s) still print in clear" in html
    assert "&lt;b&gt;ws2&lt;/b&gt;" in html and "<b>ws2" not in html
    assert "No workstation" in workstations_section([])


def test_still_enabled_names_each_port_with_its_evidence():
    p = printer(protocols_protected=("ipps",), clear_ports=(port(9100, "raw9100", "reply", uid="C9"),),
                clear_still_enabled=(9100,), clear_still_enabled_reason="TLS in use (ipps), cleartext still "
                "enabled on 9100")
    html = still_enabled([p, printer(ip="10.0.0.21")])
    assert "cleartext still enabled on 9100" in html and "C9" in html and "10.0.0.21" not in html
    assert still_enabled([printer()]) == ""


def test_the_diff_page_is_self_contained():
    page = render_diff(compare(BEFORE, AFTER))
    assert "default-src 'none'" in page and "<script" not in page and "http://" not in page
    assert page.count("<section") == 2 and "v-protected" in page and "moved" in page
