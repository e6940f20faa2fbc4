"""The endpoint mapper's ept_map answer (C706 Appendix L / O)."""
from __future__ import annotations

from sniffprint.dissectors.dcerpc import epm
from tests.dissectors.dcerpc.vectors import MS_PAR, MS_RPRN, ept_map_resp_stub, tower


def test_towers_name_the_interface_and_its_tcp_port():
    t = epm.parse_tower(tower(MS_PAR, 49668))
    assert t == epm.Tower(MS_PAR, 49668)
    assert epm.parse_tower(b"\x05") == epm.Tower(None, None)
    assert epm.parse_tower(tower(MS_PAR, 49668)[:30]).tcp_port is None


def test_map_response_walks_the_tower_array():
    stub = ept_map_resp_stub([tower(MS_RPRN, 49160), tower(MS_PAR, 49161)])
    assert epm.map_response(stub) == [epm.Tower(MS_RPRN, 49160), epm.Tower(MS_PAR, 49161)]
    assert epm.map_response(stub[:60]) == []  # cut inside the first tower: nothing half-read
    assert epm.map_response(ept_map_resp_stub([])) == []
