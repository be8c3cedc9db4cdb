"""Hostile text in the pure writers (no server): GraphML and GEXF parse back to the values, and
CLI errors print brackets as text."""

import io
import xml.etree.ElementTree as ET

import pytest

from tierscope.cli.main import fail
from tierscope.graphdb.export import write_graph

HOSTILE = [
    '</data></node><node id="x"><script>alert(1)</script>',
    '" onload="alert(1)" x=\'',
    "]]><!-- &amp; &#60; <![CDATA[",
    "line\r\nbreak\r\ttab",
    "bell\x01vertical\x0btab\x1fend",
    "surrogate \ud800 and emoji \U0001f600",
]
# what XML 1.0 can hold of each: characters it forbids become U+FFFD
KEPT = [
    *HOSTILE[:4],
    "bell\ufffdvertical\ufffdtab\ufffdend",
    "surrogate \ufffd and emoji \U0001f600",
]


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graph_exports_parse_back_to_the_values(fmt: str):
    out = io.StringIO()
    nodes = [[f"id{i}{text}", text, i] for i, text in enumerate(HOSTILE)]
    edges = [[nodes[0][0], nodes[1][0], 3, HOSTILE[0]]]
    write_graph(["id", "name", "n"], nodes, ["a", "b", "weight", "note"], edges, fmt, out)
    root = ET.fromstring(out.getvalue().encode("utf-8"))
    if fmt == "graphml":
        ns = "{http://graphml.graphdrawing.org/xmlns}"
        ids = [n.get("id") for n in root.iter(f"{ns}node")]
        names = [n.find(f"{ns}data[@key='n_name']").text for n in root.iter(f"{ns}node")]
        (edge,) = root.iter(f"{ns}edge")
        note = edge.find(f"{ns}data[@key='e_note']").text
    else:
        ns = "{http://gexf.net/1.3}"
        ids = [n.get("label") for n in root.iter(f"{ns}node")]
        names = [n.find(f"{ns}attvalues/{ns}attvalue[@for='0']").get("value") for n in
                 root.iter(f"{ns}node")]  # fmt: skip
        (edge,) = root.iter(f"{ns}edge")
        note = edge.find(f"{ns}attvalues/{ns}attvalue[@for='1']").get("value")
    assert names == KEPT
    assert ids == [f"id{i}{text}" for i, text in enumerate(KEPT)]
    assert (edge.get("source"), edge.get("target"), note) == (ids[0], ids[1], KEPT[0])


def test_cli_errors_print_brackets_as_text(capsys: pytest.CaptureFixture[str]):
    exit = fail("no query named '[/][bold]x'")
    assert exit.exit_code == 2
    assert capsys.readouterr().err == "Error: no query named '[/][bold]x'\n"
