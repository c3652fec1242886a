"""The contracts compile with the pinned compiler, with no error and no warning."""

from __future__ import annotations

import time

from verify.check import Check, Context
from verify.findings import Finding, Impact, Status
from verify.toolchain.compiler import CompileError, compile_tree


class CompileCheck(Check):
    ID = "compile"
    STAGE = "compile"
    IMPACT = Impact.HIGH
    DESCRIPTION = "Every contract compiles with the pinned solc, without errors or warnings."
    RECOMMENDATION = "Fix the compiler message at the location given."

    def run(self, ctx: Context) -> list[Finding]:
        start = time.perf_counter()
        try:
            artifacts = compile_tree(ctx.contracts)
        except CompileError as exc:
            return [
                self.finding(message, Status.VIOLATION, location=message.split(": ", 1)[0]) for message in exc.messages
            ]
        names = ", ".join(sorted(artifacts)) or "none"
        status = Status.PASSED if artifacts else Status.NOT_VERIFIED
        return [
            self.finding(
                f"{len(artifacts)} contracts compiled",
                status,
                evidence=f"contracts: {names}",
                seconds=time.perf_counter() - start,
            )
        ]
