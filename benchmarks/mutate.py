"""Mutation testing at scale, cold: every contract file's slither-mutate mutants (or an even sample of
them) and fairwatt's semantic ones, built and killed on every core with an empty build cache. Prints
the compiled non-equivalent mutants, the score, the wall time and the machine's load, against the
targets (≥ 500 mutants, ≥ 90% killed, ≤ 15 min on 2 cores).

    python benchmarks/mutate.py [--sample N] [--json FILE]
"""

import argparse
import json
import os
import resource
import tempfile
from pathlib import Path

from verify import mutation

parser = argparse.ArgumentParser()
parser.add_argument("--sample", type=int, help="generated mutants to keep, spread evenly (default: every one)")
parser.add_argument("--json", type=Path, default=Path("reports/mutation-benchmark.json"))
args = parser.parse_args()

load = os.getloadavg()[0]
with tempfile.TemporaryDirectory(prefix="fairwatt-mutate-cache-") as cache:
    data = mutation.run(sample=args.sample, cache=Path(cache), progress=lambda line: print(line, flush=True))
args.json.parent.mkdir(parents=True, exist_ok=True)
args.json.write_text(json.dumps(data, indent=2))
print(f"candidates {data['candidates']} (sample {args.sample or 'none'}), {len(data['uncompilable'])} uncompilable, "
      f"{len(data['equivalent'])} equivalent, {data['duplicates']} duplicates")  # fmt: skip
print(f"mutants (compiled, non-equivalent) {data['mutants']}: target >= 500")
print(f"score {data['score']:.1%} ({data['killed']} killed, {len(data['survived'])} survived): target >= 90%")
print(f"unique programs {data['unique_programs']}, score {data['unique_score']:.1%}; killed by {data['killed_by']}")
print(f"wall time {data['seconds']:.0f} s on {data['jobs']} workers {data['timings']}: target <= 900 s")
usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
cpu = sum(u.ru_utime + u.ru_stime for u in usage)
print(f"load average at start {load:.1f}, at the end {os.getloadavg()[0]:.1f} (other work on the machine slows it)")
print(
    f"CPU time of the run, the workers and their compilers included: {cpu:.0f} s; on 2 idle cores ~{cpu / 2:.0f} s wall"
)
