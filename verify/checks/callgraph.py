"""The contracts' call graph (the paper's Fig. 5 analogue), drawn into the audit's artifacts; every contract
function a clause names must be in it."""

from __future__ import annotations

import pydot

from verify import callgraph, spec
from verify.check import Check, Context
from verify.findings import Finding, Impact, Status


class CallGraphCheck(Check):
    ID = "callgraph"
    STAGE = "static"
    IMPACT = Impact.LOW
    DESCRIPTION = "Slither's call graph of the contracts (DOT, PNG); every function a clause names is in it."
    RECOMMENDATION = "Implement the function the clause names, or correct the clause's `contract:` line."

    def run(self, ctx: Context) -> list[Finding]:
        dot, png = callgraph.write(ctx.contracts, ctx.out / "artifacts" / "callgraph")
        (parsed,) = pydot.graph_from_dot_file(str(dot)) or [pydot.Dot()]
        drawn = set(callgraph.functions(parsed))
        findings = []
        for clause in spec.clauses():
            for name in clause.contract:
                if "." not in name:
                    continue
                status = Status.PASSED if name in drawn else Status.VIOLATION
                title = f"{name} is in the call graph" if name in drawn else f"{name} is not in the call graph"
                findings.append(self.finding(title, status, clause=clause.id, location=name))
        evidence = f"{len(drawn)} functions: {dot.name}, {png.name}"
        findings.append(self.finding("call graph drawn", Status.PASSED, location=str(png.name), evidence=evidence))
        return findings
