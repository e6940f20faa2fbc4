"""XPS packages (ECMA-388): a ZIP whose part names say fixed documents and pages."""
from __future__ import annotations

import io
import zipfile

from sniffprint.content import classify
from sniffprint.content.classify import xps


def package(names: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n in names:
            z.writestr(n, "<FixedPage/>")
    return buf.getvalue()


def test_an_xps_package_is_xps_a_zip_is_not():
    doc = package(["[Content_Types].xml", "FixedDocumentSequence.fdseq", "Documents/1/FixedDocument.fdoc",
                   "Documents/1/Pages/1.fpage"])
    assert classify.detect_all(doc) == ["XPS"]
    assert not xps.detect(package(["word/document.xml"]), 0)
    assert xps.metadata(doc) == []
