"""Text written by whoever made the accounts, planted in every field the graph keeps: the HTML
report renders it as text in headless Chromium with no script run, the GraphML and GEXF
exports parse and give it back to the letter, and the terminal and JSON outputs survive it."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tierscope.cli.main import app
from tierscope.graphdb import cypherlib
from tierscope.graphdb.store import Store

# Each payload, if it ever ran, would retitle the page or mark the body.
SCRIPT = "<script>document.title='PWNED'</script>"
IMG = "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">"
LINK = "<a href=\"javascript:document.body.setAttribute('data-pwned','link')\">me</a>"
SVG_END = "</title></svg><script>document.title='PWNED'</script>"
SVG_ONLOAD = "</text><svg onload=\"document.body.setAttribute('data-pwned','svg')\">"
STYLE_END = "</style><script>document.title='PWNED'</script>"
ATTRIBUTE = "\" onmouseover=\"document.body.setAttribute('data-pwned','attr')\" x=\""
MARKUP = "[/][bold red]rich markup[/bold red] ]]> <!-- --> &amp; &#60;"
CONTROL = "line\r\nbreak\ttab\x01bell\x0b"

# account id, screen name (None: the report shows the id), tier
ACCOUNTS = [
    ("p1", SCRIPT, "principal"),
    ("c1", SVG_END, "core"),
    ("c2", IMG, "core"),
    ("c3", ATTRIBUTE, "core"),
    ("a1", LINK, "amplifier"),
    ("a2", SVG_ONLOAD, "amplifier"),
    ("a3", MARKUP, "amplifier"),
    ("a4", CONTROL, "amplifier"),
    (STYLE_END, None, "amplifier"),
]
HASHTAG = "<script>document.title='PWNED'</script>#tag"

SEED = """// mode: write
UNWIND $accounts AS a
CREATE (:Account {id: a.id, screen_name: a.screen_name, display_name: $display,
                  location: $display, lang: $lang, followers: 10,
                  created_at: datetime('2020-01-01T00:00:00Z')})
WITH count(*) AS made
MATCH (p:Account {id: 'p1'})
CREATE (p)-[:POSTED]->(o:Post {id: 'P1', text: $text, lang: $lang,
                               created_at: datetime('2020-03-01T10:00:00Z')})
       -[:TAGS]->(:Hashtag {tag: $hashtag})
WITH o
MATCH (who:Account) WHERE who.id <> 'p1'
CREATE (who)-[:POSTED]->(rt:Post {id: who.id + '-rt', text: $text,
                                  created_at: datetime('2020-03-01T10:01:00Z')})
       -[:RETWEET_OF]->(o)
CREATE (rt)-[:TAGS]->(:Hashtag {tag: $hashtag + who.id})
WITH count(*) AS retweets
CREATE (r:DetectionRun {id: 'r1', kind: 'co-retweet', params: '{}', summary: '{}',
                        started_at: datetime('2024-02-01T00:00:00Z'),
                        finished_at: datetime('2024-02-01T00:01:00Z')})
CREATE (r)-[:FOUND]->(c:Community {run: 'r1', id: 1, operation_id: 1, size: 9,
  principals: 1, core: 3, amplifiers: 5, synchrony: 3.0, creation_burst: 1.0,
  median_reaction_s: 60.0, dormant_share: 0.0, duplicate_text_share: 1.0, lang_top: $lang,
  lang_top_share: 1.0, lang_entropy: 0.0, score: 3.0, rank: 1, flagged: true})
WITH c
UNWIND $accounts AS a
MATCH (x:Account {id: a.id})
CREATE (x)-[:IN_COMMUNITY {run: 'r1', tier: a.tier, operation_id: 1,
  flagged: a.tier <> 'principal', internal_share: 1.0, synchrony: 2.0, in_strength: 1.0,
  out_strength: 1.0}]->(c)
WITH count(*) AS members
MATCH (x:Account), (y:Account) WHERE x.id < y.id AND x.id <> 'p1' AND y.id <> 'p1'
CREATE (x)-[:COORDINATED_WITH {run: 'r1', kind: 'co-retweet', weight: 2, mean_delta: 5.0}]->(y)
"""
PARAMS = {
    "accounts": [{"id": i, "screen_name": s, "tier": t} for i, s, t in ACCOUNTS],
    "display": SCRIPT + IMG,
    "lang": "<b onmouseover=\"document.title='PWNED'\">zh</b>",
    "text": SVG_END + LINK + CONTROL,
    "hashtag": HASHTAG,
}
NAMES = {i: (s if s is not None else "") for i, s, _ in ACCOUNTS}
SHOWN = [f"@{s}" if s is not None else i for i, s, _ in ACCOUNTS]  # as the report names them


@pytest.fixture
def hostile(store: Store) -> Store:
    store.run(cypherlib.parse(SEED), PARAMS)
    return store


class _Elements(HTMLParser):
    """Every element and attribute of a page, and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attrs: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs.update(name for name, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


# All the report itself is made of: anything else came from the data.
REPORT_TAGS = {
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "div", "figure",
    "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "svg", "g", "text", "rect", "line",
    "path", "circle", "polygon",
}  # fmt: skip


def test_script_in_the_data_never_runs_in_the_report(
    hostile: Store, cli: CliRunner, chromium, tmp_path: Path
):
    # The control: in this browser, with these flags, a script that runs shows in the DOM.
    control = tmp_path / "control.html"
    control.write_text(
        "<!DOCTYPE html><html><head><title>before</title></head><body><script>"
        "document.title='RAN'; document.body.setAttribute('data-pwned','control')"
        "</script></body></html>"
    )
    ran = chromium.dump_dom(control)
    assert "<title>RAN</title>" in ran and 'data-pwned="control"' in ran

    page = tmp_path / "report.html"
    result = cli.invoke(app, ["report", "tiers", "-f", "html", "-o", str(page)])
    assert result.exit_code == 0, result.output
    assert "Content-Security-Policy" in page.read_text()
    dom = chromium.dump_dom(page)

    assert re.findall(r"<title>(.*?)</title>", dom)[0] == "Tier report: run r1"
    assert not re.search(r"<body[^>]*data-pwned", dom)
    parsed = _Elements()
    parsed.feed(dom)
    assert parsed.tags <= REPORT_TAGS, parsed.tags - REPORT_TAGS
    assert not {a for a in parsed.attrs if a.startswith("on") or a in ("href", "src")}
    # Every name shows, whole, as text (HTML reads CR LF as LF): in the tables, the bar chart
    # and the network titles.
    text = "".join(parsed.text)
    for name in SHOWN:
        assert text.count(name.replace("\r\n", "\n")) >= 2, name
    assert "&lt;script&gt;document.title='PWNED'&lt;/script&gt;" in dom
    assert "&lt;/title&gt;&lt;/svg&gt;&lt;script&gt;" in dom


def _read_xml(path: Path) -> ET.Element:
    return ET.parse(path).getroot()  # raises on anything that is not well-formed XML


def _expected(value: str) -> str:
    """What XML can hold of a value: control characters other than tab, CR, LF become U+FFFD."""
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "\ufffd", value)


def test_graphml_and_gexf_escape_and_parse_back(hostile: Store, cli: CliRunner, tmp_path):
    graphml, gexf = tmp_path / "edges.graphml", tmp_path / "edges.gexf"
    for path, fmt in ((graphml, "graphml"), (gexf, "gexf")):
        result = cli.invoke(app, ["export", "edges", "--run", "r1", "-f", fmt, "-o", str(path)])
        assert result.exit_code == 0, result.output

    g = "{http://graphml.graphdrawing.org/xmlns}"
    root = _read_xml(graphml)
    keys = {k.get("attr.name"): k.get("id") for k in root.iter(f"{g}key")}
    nodes = {
        n.get("id"): {d.get("key"): d.text or "" for d in n.iter(f"{g}data")}
        for n in root.iter(f"{g}node")
    }
    assert set(nodes) == set(NAMES) - {"p1"}
    for account, props in nodes.items():
        assert props[keys["screen_name"]] == _expected(NAMES[account])
    ends = {(e.get("source"), e.get("target")) for e in root.iter(f"{g}edge")}
    assert (STYLE_END, "a1") in ends or ("a1", STYLE_END) in ends

    x = "{http://gexf.net/1.3}"
    root = _read_xml(gexf)
    (declared,) = [a for a in root.iter(f"{x}attributes") if a.get("class") == "node"]
    titles = {a.get("id"): a.get("title") for a in declared.iter(f"{x}attribute")}
    for node in root.iter(f"{x}node"):
        assert node.get("id") == node.get("label") and node.get("id") in NAMES
        values = {titles[v.get("for")]: v.get("value") for v in node.iter(f"{x}attvalue")}
        assert values["screen_name"] == _expected(NAMES[node.get("id")])
    assert len(list(root.iter(f"{x}edge"))) == len(ends)


def test_terminal_json_and_queries_survive_it(hostile: Store, cli: CliRunner):
    table = cli.invoke(app, ["report", "tiers"])
    assert table.exit_code == 0, table.output
    assert "rich markup[/bold red]" in table.stdout  # printed, not read as markup
    as_json = cli.invoke(app, ["report", "tiers", "-f", "json"])
    data = json.loads(as_json.stdout)
    core = data["communities"][0]["top"]["core"]
    assert {a["screen_name"] for a in core} == {SVG_END, IMG, ATTRIBUTE}
    content = cli.invoke(
        app, ["query", "community_content", "-p", "run=r1", "-p", "community=1", "-f", "json"]
    )
    assert content.exit_code == 0, content.output
    assert HASHTAG in json.dumps(json.loads(content.stdout), ensure_ascii=False)
    members = cli.invoke(app, ["query", "community_members", "-p", "run=r1", "-p", "community=1"])
    assert members.exit_code == 0, members.output


def test_explain_and_impact_print_it_as_text(hostile: Store, cli: CliRunner):
    table = cli.invoke(app, ["explain", "a3", "a4", "--run", "r1"])
    assert table.exit_code == 0, table.output
    assert "[/][bold red]rich markup[/bold red]" in table.stdout  # printed, not read as markup
    as_json = json.loads(cli.invoke(app, ["explain", "a3", "a4", "-f", "json"]).stdout)
    assert as_json["a"]["screen_name"] == MARKUP
    assert as_json["pairs"][0]["original_text"] == SVG_END + LINK + CONTROL
    as_csv = cli.invoke(app, ["explain", "a3", "a4", "-f", "csv"])
    assert as_csv.exit_code == 0 and SVG_END in as_csv.stdout
    impact = cli.invoke(app, ["impact", "--no-keep"])
    assert impact.exit_code == 0, impact.output
    assert SCRIPT in impact.stdout.replace("\n", "")
