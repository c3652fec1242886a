"""The contracts' call graph (the paper's Fig. 5 analogue): Slither's ``call-graph`` printer to DOT,
rendered to PNG with networkx and matplotlib (no Graphviz binary needed)."""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

import networkx as nx
import pydot
from slither import Slither
from slither.printers.call.call_graph import PrinterCallGraph

from verify.checks.static.checks import roots
from verify.toolchain.compiler import EVM_VERSION, SOLC

BUILTIN = "Solidity"


def _names(parsed: pydot.Dot) -> dict[str, str]:
    """DOT node id -> ``Contract.function``, from the printer's one cluster per contract."""
    names = {}
    for cluster in parsed.get_subgraphs():
        contract = str(cluster.get("label")).strip('"')
        names[f"contract:{str(cluster.get_name()).split('_')[1]}"] = contract
        for node in cluster.get_nodes():
            name = node.get_name().strip('"')
            ident, _, function = name.partition("_")
            if ident.isdigit() and function:
                names[name] = f"{contract}.{function.split('(')[0]}"
    return names


def functions(parsed: pydot.Dot) -> list[str]:
    """Every ``Contract.function`` the graph defines, called or not."""
    return [name for key, name in _names(parsed).items() if not key.startswith("contract:")]


def _label(node: str, names: dict[str, str]) -> str:
    node = node.strip('"')
    if node in names:
        return names[node]
    ident, _, function = node.partition("_")
    contract = names.get(f"contract:{ident}", BUILTIN) if function else BUILTIN
    return f"{contract}.{(function if contract != BUILTIN else node).split('(')[0]}"


def write(contracts: Path, out: Path) -> tuple[Path, Path]:
    """Write ``callgraph.dot`` and ``callgraph.png`` of every root file of the contracts (with what they import).

    The roots are compiled as one unit: a copy of the tree gets a file that imports them all.
    """
    sources = roots(contracts)
    if not sources:
        raise ValueError(f"no .sol file under {contracts}")
    out.mkdir(parents=True, exist_ok=True)
    dot = out / "callgraph.dot"
    options = {"solc": str(SOLC), "solc_args": f"--evm-version {EVM_VERSION}", "compile_force_framework": "solc"}
    with tempfile.TemporaryDirectory(prefix="fairwatt-callgraph-") as work:  # no project file (foundry.toml) above
        tree = Path(work) / "contracts"
        shutil.copytree(contracts, tree)
        imports = "".join(
            f'import "./{source.resolve().relative_to(contracts.resolve()).as_posix()}";\n' for source in sources
        )
        (tree / "_fairwatt_callgraph.sol").write_text(
            f"// SPDX-License-Identifier: MIT\npragma solidity >=0.4.0;\n{imports}"
        )
        slither = Slither(str(tree / "_fairwatt_callgraph.sol"), cwd=work, **options)
        unit = slither.compilation_units[0]
        PrinterCallGraph(unit, slither, logging.getLogger("callgraph")).output(str(out / "callgraph"))
        (out / "callgraph.all_contracts.call-graph.dot").replace(dot)
    for extra in out.glob("callgraph.*.call-graph.dot"):
        extra.unlink()
    graph = nx.DiGraph()
    (parsed,) = pydot.graph_from_dot_file(str(dot)) or [pydot.Dot()]
    names = _names(parsed)
    for edge in parsed.get_edges() + [e for s in parsed.get_subgraphs() for e in s.get_edges()]:
        source, target = _label(str(edge.get_source()), names), _label(str(edge.get_destination()), names)
        if not target.startswith(f"{BUILTIN}.revert"):  # every revert as a node would hide the calls
            graph.add_edge(source, target)
    png = out / "callgraph.png"
    _draw(graph, png)
    return dot, png


def _draw(graph: nx.DiGraph, png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(16, 11))
    contracts = sorted({n.split(".")[0] for n in graph.nodes})
    colours = {c: plt.cm.tab10(i % 10) for i, c in enumerate(contracts)}
    colours[BUILTIN] = (0.75, 0.75, 0.75, 1.0)
    layout = nx.spring_layout(graph, seed=7, k=1.2 / max(len(graph), 1) ** 0.5)
    nx.draw_networkx_edges(graph, layout, ax=ax, alpha=0.35, arrows=True, arrowsize=8)
    nx.draw_networkx_nodes(graph, layout, ax=ax, node_size=120, node_color=[colours[n.split(".")[0]] for n in graph])
    nx.draw_networkx_labels(graph, layout, ax=ax, font_size=7, labels={n: n.split(".", 1)[1] for n in graph})
    for contract, colour in colours.items():
        ax.scatter([], [], color=colour, label=contract)
    ax.legend(loc="lower left", fontsize=8)
    ax.set_title("Call graph of the contracts (Slither's call-graph printer)")
    ax.axis("off")
    fig.tight_layout()
    fig.savefig(png, dpi=90)
    plt.close(fig)
