"""Seconds per Z3 obligation and its known-bad variant, resolved parameters, and the total against the 60 s target."""

from reference.params import RESOLVED
from verify.checks.proofs.base import ProofCheck
from verify.registry import discover

TARGET = 60.0

total = 0.0
for check_id, cls in discover().items():
    if issubclass(cls, ProofCheck):
        result = cls().prove(RESOLVED)
        variant = cls().prove(RESOLVED, cls.REFUTED_BY)
        total += result.seconds + variant.seconds
        print(
            f"{check_id:36} {result.status.value:9} {result.seconds:8.3f} s   "
            f"{cls.REFUTED_BY:26} {variant.status.value:9} {variant.seconds:8.3f} s"
        )
print(f"total {total:.2f} s for all obligations; target {TARGET:.0f} s; ratio {total / TARGET:.2f}")
