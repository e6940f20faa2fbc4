"""dissectors/cups_browse.py: CUPS 1.x browse lines as printer adverts."""
from __future__ import annotations

import pytest

from sniffprint.dissectors.cups_browse import CupsBrowseDissector, parse
from sniffprint.dissectors.events import FlowFact, PrintSeen
from sniffprint.errors import ProtocolViolation
from sniffprint.model import Direction, FlowKey
from sniffprint.records import Advert
from tests.helpers import fuzz_datagrams

KEY = FlowKey("udp", "10.77.0.25", 631, "10.77.0.255", 631)
# the line cups-browsed sent in the lab (pcaps/mdns-printer.pcap frame 17)
LAB = (b'3044 3 ipp://10.77.0.25:631/printers/Floor2_Shared "Floor 2 copy room" "Floor 2 LaserJet (shared)" '
       b'"HP LaserJet Series PCL 4/5" lease-duration=300 uuid=urn:uuid:9f66de29-3a6d-3573-570f-f4a748f0c4b7 '
       b"job-sheets=none,none job-hold-until=no-hold sides=one-sided\n")


def test_the_lab_line() -> None:
    d = CupsBrowseDissector(KEY)
    ev = d.feed(Direction.C2S, LAB)
    assert ev == [PrintSeen(False), FlowFact("printer_adverts", [Advert(
        host="10.77.0.25", source="cups-browse", service="ipp", port=631, name="Floor2_Shared",
        make_model="HP LaserJet Series PCL 4/5", uuid="9f66de29-3a6d-3573-570f-f4a748f0c4b7",
        rp="printers/Floor2_Shared")])]
    assert d.feed(Direction.C2S, LAB) == []  # the same queue again: nothing new


def test_ipps_escapes_and_a_host_name_uri() -> None:
    ad = parse(b'1006 3 ipps://srv.example/printers/A%20B "loc \\"x\\"" "info" "Model \\\\ Y"\n')
    assert (ad.service, ad.port, ad.name, ad.make_model, ad.host) == ("ipps", 631, "A B", "Model \\ Y", "srv.example")
    d = CupsBrowseDissector(KEY)
    ev = d.feed(Direction.C2S, b'1006 3 ipps://srv.example:8631/printers/Q "" "" ""\n')
    assert ev[-1].value[0].host == "10.77.0.25" and ev[-1].value[0].port == 8631  # named host: the sender


def test_fewer_strings_are_allowed() -> None:
    assert parse(b"3 3 ipp://10.0.0.5/printers/p\n").make_model is None


@pytest.mark.parametrize("raw", [b"", b"hello world\n", b"3044 3 ftp://x/y\n", b"zz 3 ipp://a/b\n",
                                 b"3 3 ipp://a/b\n3 3 ipp://c/d\n", b"3 3 ipp://a:notaport/b\n"])
def test_what_is_not_a_browse_line_is_a_violation(raw: bytes) -> None:
    with pytest.raises(ProtocolViolation):
        parse(raw)


def test_probe_and_fuzz() -> None:
    assert CupsBrowseDissector.probe(LAB, b"", KEY) >= 0.9
    assert CupsBrowseDissector.probe(b"\x00\x00\x84\x00", b"", KEY) == 0.0
    fuzz_datagrams(lambda: CupsBrowseDissector(KEY), [LAB], cases=1000)
