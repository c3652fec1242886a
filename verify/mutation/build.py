"""The mutants' build: only the contracts a mutant can change, in a resident solc-js, with the optimizer's
costly stages off.

A mutant of ``Reputation.sol`` can only change the contracts of the files that import it (FairwattMarket),
so only those are asked for: solc generates no code for the rest. The optimizer's expensive stages are
off (peephole, jump-destination removal and deduplication stay on, which keeps the bilateral market under
the 24,576-byte code limit): a build costs about a third of the project's optimized one. A contract
that comes out over the code limit, or that fails in code generation (stack too deep), is built with the
project's settings. The optimizer does not change what code does, so the kill-suite judges a mutant
the same either way; only the bytecode comparison sees more differences, and a survivor is compared
again in the project's optimized build (:func:`Builder.optimized_twin`). Outputs are cached on disk by
content hash.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
from pathlib import Path

from verify.toolchain.batch import BatchCompiler
from verify.toolchain.compiler import Artifact, CompileError, artifacts_of, solc_version, standard_input

CODE_LIMIT = 24_576
"""EIP-170: the largest runtime code a chain deploys."""
FAST = {"enabled": False, "details": {"peephole": True, "jumpdestRemover": True, "deduplicate": True}}
OUTPUTS = ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]
IMPORT = re.compile(r"""^\s*import\s[^;]*?["']([^"']+)["']""", re.MULTILINE)
CODEGEN = {"CompilerError", "CodeGenerationError"}
"""Errors of code generation (stack too deep...), which the project's optimized build may not have."""
LIBRARY_PREFIX = "73" + "00" * 20 + "30"
"""How a library's runtime code starts (PUSH20 of its own address, ADDRESS): the call guard."""


def importers(sources: dict[str, str]) -> dict[str, set[str]]:
    """Each file -> the files whose code it can change: itself and every file that imports it, directly or not."""
    imports = {
        name: {
            posixpath.normpath(posixpath.join(posixpath.dirname(name), p)) if p.startswith(".") else p
            for p in IMPORT.findall(text)
        }  # fmt: skip
        for name, text in sources.items()
    }
    users: dict[str, set[str]] = {name: {name} for name in sources}
    for name in sources:
        seen, todo = set(), list(imports[name])
        while todo:
            dependency = todo.pop()
            if dependency not in seen and dependency in imports:
                seen.add(dependency)
                todo += imports[dependency]
        for dependency in seen:
            users[dependency].add(name)
    return users


def is_library(artifact: Artifact) -> bool:
    return artifact.runtime.startswith(LIBRARY_PREFIX)


class Builder:
    """Compiles the variants of one set of sources; one per worker process."""

    def __init__(self, sources: dict[str, str], cache: Path | None) -> None:
        self.sources = sources
        self.users = importers(sources)
        self.cache = cache
        self.compiler: BatchCompiler | None = None

    def _compile(self, sources: dict[str, str], files: set[str], optimizer: dict | None) -> dict:
        data = standard_input(sources)
        if optimizer is not None:
            data["settings"]["optimizer"] = optimizer
        data["settings"]["metadata"] = {"appendCBOR": False}  # no hash of the source text in the code
        data["settings"]["outputSelection"] = {f: {"*": OUTPUTS} for f in sorted(files)}
        key = hashlib.sha256(json.dumps([data, solc_version()], sort_keys=True).encode()).hexdigest()
        cached = self.cache / f"{key}.json" if self.cache else None
        if cached and cached.exists():
            return json.loads(cached.read_text())
        if self.compiler is None:
            self.compiler = BatchCompiler()
        output = self.compiler._run(data, sources)
        errors = [e for e in output.get("errors", []) if e["severity"] == "error"]
        result = {
            "errors": [e.get("formattedMessage", e["message"]).strip() for e in errors],
            "codegen": any(e.get("type") in CODEGEN for e in errors),
        }
        if not errors:
            result["contracts"] = output.get("contracts", {})
        if cached:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(result))
            tmp.replace(cached)
        return result

    def build(self, sources: dict[str, str], files: set[str]) -> dict[str, Artifact]:
        """The contracts of ``files`` (and the files that import them) built from ``sources``."""
        wanted = set().union(*(self.users[f] for f in files))
        output = self._compile(sources, wanted, FAST)
        if output["errors"] and not output["codegen"]:
            raise CompileError(output["errors"])
        if output["errors"] or any(len(a.runtime) // 2 > CODE_LIMIT for a in artifacts_of(output).values()):
            output = self._compile(sources, wanted, None)  # the project's optimizer
        if output["errors"]:
            raise CompileError(output["errors"])
        return artifacts_of(output)

    def original(self) -> dict[str, Artifact]:
        """Every contract of the original sources, each file built as its mutants' builds are."""
        artifacts: dict[str, Artifact] = {}
        for file in sorted(self.sources):
            artifacts.update(self.build(self.sources, {file}))
        return artifacts

    def optimized_twin(self, sources: dict[str, str], file: str) -> bool:
        """Whether the project's optimized build of ``sources`` is the original's, for every contract
        ``file`` can change."""
        wanted = self.users[file]
        mutant, original = self._compile(sources, wanted, None), self._compile(self.sources, wanted, None)
        return not mutant["errors"] and artifacts_of(mutant) == artifacts_of(original)

    def close(self) -> None:
        if self.compiler is not None:
            self.compiler.close()
