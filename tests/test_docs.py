"""docs/ stays true: generated tables match the code, every code and record field is documented,
and the README keeps its two set-up commands first."""
from __future__ import annotations

import dataclasses
import re

from sniffprint.findings import codes
from sniffprint.records import RECORD_TYPES
from tests.conftest import ROOT
from tools import docs


def test_generated_blocks_match_the_code():
    assert docs.stale() == [], "run python3 tools/docs.py --update"


def test_every_record_field_is_in_the_json_contract():
    text = (ROOT / "docs" / "json.md").read_text()
    for cls in RECORD_TYPES.values():
        for f in dataclasses.fields(cls):
            assert f"| `{f.name}` |" in text, (cls.TYPE, f.name)


def test_every_finding_code_is_documented():
    doc = codes.__doc__ or ""
    table = (ROOT / "docs" / "findings.md").read_text()
    for code in codes.TITLES:
        assert re.search(rf"^  {code}  ", doc, re.M), code
        assert f"| {code} |" in table, code


def test_readme_starts_with_the_two_setup_commands():
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```sh\n(.*?)```", text, re.S)
    assert block is not None
    lines = [line for line in block.group(1).splitlines() if line.strip()]
    assert lines == ["python3 -m pip install . && sniffprint scan pcaps/raw9100-cups-socket.pcap",
                     "python3 -m pip install '.[test]' && python3 -m pytest -q"]
    assert text.index("```sh") < text.index("## ")


def test_every_doc_the_readme_names_exists():
    text = (ROOT / "README.md").read_text()
    for rel in re.findall(r"`(docs/[a-z-]+\.md)`", text):
        assert (ROOT / rel).exists(), rel


def test_readme_and_docs_name_files_that_exist():
    """The screenshot, notebooks and docs the README and usage.md point at are in the tree."""
    for doc in (ROOT / "README.md", ROOT / "docs" / "usage.md"):
        text = doc.read_text()
        for rel in re.findall(r"\]\(((?:docs|notebooks)/[^)#\s]+)\)", text) + \
                re.findall(r"`((?:docs|notebooks)/[\w./-]+\.(?:md|ipynb|png))`", text):
            assert (ROOT / rel).exists(), (doc.name, rel)
