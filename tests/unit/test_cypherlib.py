from pathlib import Path

import pytest

from tierscope.graphdb import cypherlib
from tierscope.graphdb.errors import InputError

TEXT = """// name: demo
// description: Accounts by name.
// mode: read
// param: name: string -- the screen name
// param: limit: int = 10
// param: langs: list = ["en"]
// example: tierscope query demo -p name=x
MATCH (a:Account {screen_name: $name}) RETURN a LIMIT $limit
"""


def test_header_and_body():
    q = cypherlib.parse(TEXT)
    assert q.name == "demo" and q.mode == "read"
    assert q.description == "Accounts by name."
    assert [p.name for p in q.params] == ["name", "limit", "langs"]
    assert q.params[0].required and q.params[0].help == "the screen name"
    assert q.params[1].default == 10 and not q.params[1].required
    assert q.text.startswith("MATCH")
    assert q.example == "tierscope query demo -p name=x"


def test_bind_types_and_defaults():
    q = cypherlib.parse(TEXT)
    assert q.bind({"name": "x", "limit": "3"}) == {"name": "x", "limit": 3, "langs": ["en"]}
    assert q.bind({"name": "x", "langs": "en,zh"})["langs"] == ["en", "zh"]
    assert q.bind({"name": "x", "langs": '["a"]'})["langs"] == ["a"]


def test_bind_errors_name_the_parameter():
    q = cypherlib.parse(TEXT)
    with pytest.raises(InputError, match="name"):
        q.bind({})
    with pytest.raises(InputError, match="limit must be int"):
        q.bind({"name": "x", "limit": "ten"})
    with pytest.raises(InputError, match="unknown parameter"):
        q.bind({"name": "x", "nope": "1"})


def test_bad_mode_and_empty_body():
    with pytest.raises(InputError, match="mode"):
        cypherlib.parse("// mode: maybe\nRETURN 1")
    with pytest.raises(InputError, match="no Cypher"):
        cypherlib.parse("// name: x\n")


def test_every_shipped_file_has_a_header():
    root = cypherlib.cypher_dir()
    files = sorted(root.rglob("*.cypher"))
    assert files
    for path in files:
        name = str(path.relative_to(root).with_suffix(""))
        q = cypherlib.load(name)
        assert q.description, f"{path} has no description"
        assert q.name == name or q.name == Path(name).name, path
        assert "{" not in q.name


def test_schema_statements():
    statements = cypherlib.load("schema").statements()
    assert any("Account" in s and "UNIQUE" in s for s in statements)
    assert any("created_at" in s for s in statements)
