"""Runs Mythril 0.24.8 offline on fairwatt's compiler, and says what it did to each contract.

Run by the Python of Mythril's own environment (fairwatt is not importable there) as
``python mythril_offline.py MYTH analyze ...``; it needs nothing but Mythril.

- Compiler: Mythril picks a ``solc`` from the file's pragma through py-solc-x, which lists and
  downloads releases from the network (and falls back on any compiler py-solc-x installed earlier;
  ``--solv`` always downloads). Here both are disabled and the compiler is always ``$SOLC``: the
  one Slither used.
- Record: Mythril restarts its clock for every contract and reports only the last one's duration.
  Each contract it starts to analyse gets one record, printed on stderr at exit after
  :data:`MARKER`, as one JSON list: its name, whether it finished, seconds, whether its execution
  or creation timeout cut it short (also when the analysis ended after its time was up: every
  solver query after that fails, and Mythril reads a failed query as "no issue"), and how many
  states its creation transaction left to call (none when creation failed: then Mythril analyses
  nothing and says nothing).
"""

import atexit
import json
import os
import runpy
import sys
import time

import solcx

MARKER = "fairwatt-mythril-contracts: "
RECORDS: list[dict] = []


def _no_download(*args, **kwargs):
    raise RuntimeError("fairwatt runs Mythril offline: it never downloads a compiler (the compiler is $SOLC)")


solcx.get_installable_solc_versions = lambda: []  # Mythril asks at import time
solcx.install_solc = _no_download

from mythril.ethereum import util  # noqa: E402
from mythril.laser.ethereum.svm import LaserEVM  # noqa: E402
from mythril.laser.ethereum.time_handler import time_handler  # noqa: E402
from mythril.mythril import mythril_analyzer  # noqa: E402

util.extract_binary = lambda file: (os.environ["SOLC"], None)
util.solc_exists = _no_download


def _watch(check, kind):
    def watched(self):
        hit = check(self)
        if hit and RECORDS:
            RECORDS[-1]["cut_short"] = kind
        return hit

    return watched


LaserEVM._check_execution_termination = _watch(LaserEVM._check_execution_termination, "execution timeout")
LaserEVM._check_create_termination = _watch(LaserEVM._check_create_termination, "creation timeout")
_analyse = mythril_analyzer.SymExecWrapper
_execute_transactions = LaserEVM.execute_transactions


def _counted(self, address):
    if RECORDS:
        RECORDS[-1]["open_states"] = len(self.open_states)
    return _execute_transactions(self, address)


LaserEVM.execute_transactions = _counted


def _recorded(contract, *args, **kwargs):
    record = {"contract": contract.name, "finished": False, "cut_short": "", "seconds": 0.0}
    RECORDS.append(record)
    start = time.perf_counter()
    try:
        sym = _analyse(contract, *args, **kwargs)
        record["finished"] = True
        if time_handler.time_remaining() <= 0 and not record["cut_short"]:
            # every solver query after the timeout fails, and Mythril reads a failed query as "no issue"
            record["cut_short"] = "execution timeout (solver queries refused)"
        return sym
    finally:
        record["seconds"] = round(time.perf_counter() - start, 3)


mythril_analyzer.SymExecWrapper = _recorded
atexit.register(lambda: sys.stderr.write("\n" + MARKER + json.dumps(RECORDS) + "\n"))

if __name__ == "__main__":
    myth = sys.argv[1]
    sys.argv = sys.argv[1:]
    runpy.run_path(myth, run_name="__main__")
