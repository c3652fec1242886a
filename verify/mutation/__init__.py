"""``fairwatt mutate``: mutants of ``contracts/`` against the conformance suite; the mutation score.

Mutants come from slither-mutate's operators (:func:`~verify.mutation.mutants.generate_file`, every
contract file in parallel) and from fairwatt's semantic mutants (:data:`~verify.mutation.semantic.MUTANTS`).
Each is built in a resident solc-js, only the contracts its file can change (:mod:`verify.mutation.build`),
and the kill-suite (:data:`~verify.mutation.killers.KILLERS`) runs on pyrevm, routed to the killers that
deploy what it changed, until one finds a difference from the model: the mutant is *killed*. A mutant is
*uncompilable* when the compiler rejects it (counted apart); *equivalent* when its code is the original's
(in the fast build, or in the project's optimized build for a survivor), when it only changes a library's
own never-deployed code, or when ``equivalents.toml`` gives a reviewed reason; a *duplicate* when its code
equals an earlier mutant's (it shares that verdict); *survived* otherwise, listed with its diff. Before
any mutant, the original must pass every killer. Workers run on every core.
"""

from verify.mutation.killers import KILLERS
from verify.mutation.mutants import Mutant, apply, diff_of, mutated_text
from verify.mutation.runner import EQUIVALENTS, reviewed, run, sources_of
from verify.mutation.semantic import MUTANTS

__all__ = [
    "EQUIVALENTS",
    "KILLERS",
    "MUTANTS",
    "Mutant",
    "apply",
    "diff_of",
    "mutated_text",
    "reviewed",
    "run",
    "sources_of",
]
