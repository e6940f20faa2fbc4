"""SMB1 TREE_CONNECT_ANDX (MS-CIFS 2.2.4.55): the service says printer, pipe or disk."""
from __future__ import annotations

from sniffprint.dissectors.events import FlowFact, PrintSeen
from sniffprint.dissectors.smb.state import ShareType
from tests.dissectors.smb.smb1.wire1 import IPC_TID, PRINT_TID, chain, login, tree_connect_req, tree_connect_resp
from tests.dissectors.smb.wire import C, S, nbss, new
from tests.helpers import feed_every_way


def test_lpt1_is_print_traffic_and_names_the_share():
    script = login() + [(C, nbss(chain([tree_connect_req(r"\\SRV\FLOOR2")], mid=3))),
                        (S, nbss(chain([tree_connect_resp("LPT1:")], reply=True, tid=PRINT_TID, mid=3)))]
    ev = feed_every_way(new, script)
    assert PrintSeen(True) in ev and FlowFact("smb_share", "FLOOR2") in ev


def test_a_response_alone_still_types_the_tree_and_others_are_not_print():
    ev = feed_every_way(new, [(S, nbss(chain([tree_connect_resp("LPT1:")], reply=True, tid=PRINT_TID)))])
    assert PrintSeen(True) in ev
    d = new()
    for direction, data in login() + [(C, nbss(chain([tree_connect_req(r"\\SRV\IPC$")], mid=3))),
                                      (S, nbss(chain([tree_connect_resp("IPC")], reply=True, tid=IPC_TID, mid=3)))]:
        d.feed(direction, data)
    assert d.conn.trees[IPC_TID].share_type == ShareType.PIPE
    ev = feed_every_way(new, [(S, nbss(chain([tree_connect_resp("A:")], reply=True, tid=9)))])
    assert PrintSeen(True) not in ev and ev[-1] == PrintSeen(False)
