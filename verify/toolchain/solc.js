#!/usr/bin/env node
// A native-`solc` look-alike over the pinned solc-js package.
//
// py-solc-x, crytic-compile (Slither) and Mythril all shell out to a `solc`
// binary. This program answers the part of the native command line they use,
// so every tool in fairwatt shares one compiler: the exact version pinned in
// package.json. Nothing here downloads anything.
//
// Supported: --version, --help, --standard-json (input on stdin),
// --combined-json LIST (files or `-` for stdin), --optimize, --optimize-runs N,
// --evm-version V, --via-ir, --base-path P, --include-path P, --allow-paths P,
// remappings `a=b`. Exit 0 on success; 1 with the errors on stderr otherwise.
//
// FAIRWATT_SOLC_PACKAGE may name another installed solc-js package directory
// (an older compiler); its soljson.js is driven through the pinned wrapper.
"use strict";

const fs = require("fs");
const path = require("path");

function loadCompiler() {
  const other = process.env.FAIRWATT_SOLC_PACKAGE;
  if (!other) return require("solc");
  const wrapper = require("solc/wrapper");
  return wrapper(require(path.resolve(other, "soljson.js")));
}

const solc = loadCompiler();
const longVersion = solc.version().replace(/\.Emscripten\.clang$/, ".Linux.g++");

// combined-json output name -> [standard-json selection, getter on a contract]
const OUTPUTS = {
  abi: ["abi", (c) => c.abi],
  bin: ["evm.bytecode.object", (c) => c.evm.bytecode.object],
  "bin-runtime": ["evm.deployedBytecode.object", (c) => c.evm.deployedBytecode.object],
  srcmap: ["evm.bytecode.sourceMap", (c) => c.evm.bytecode.sourceMap],
  "srcmap-runtime": ["evm.deployedBytecode.sourceMap", (c) => c.evm.deployedBytecode.sourceMap],
  opcodes: ["evm.bytecode.opcodes", (c) => c.evm.bytecode.opcodes],
  hashes: ["evm.methodIdentifiers", (c) => c.evm.methodIdentifiers],
  metadata: ["metadata", (c) => c.metadata],
  userdoc: ["userdoc", (c) => c.userdoc],
  devdoc: ["devdoc", (c) => c.devdoc],
  asm: ["evm.legacyAssembly", (c) => c.evm.legacyAssembly],
  "storage-layout": ["storageLayout", (c) => c.storageLayout],
  "generated-sources": ["evm.bytecode.generatedSources", (c) => c.evm.bytecode.generatedSources],
  "generated-sources-runtime": [
    "evm.deployedBytecode.generatedSources",
    (c) => c.evm.deployedBytecode.generatedSources,
  ],
  "function-debug": ["evm.bytecode.functionDebugData", (c) => c.evm.bytecode.functionDebugData],
  "function-debug-runtime": [
    "evm.deployedBytecode.functionDebugData",
    (c) => c.evm.deployedBytecode.functionDebugData,
  ],
};
// Before 0.8.0 native solc printed these as JSON strings; crytic-compile expects that.
const STRING_OUTPUTS_BEFORE_080 = new Set(["abi", "devdoc", "userdoc", "hashes"]);

function usage() {
  return [
    "solc, the solidity compiler commandline interface",
    "Version: " + longVersion,
    "",
    "Usage: solc [options] [input_file...]",
    "  --version            Print version and exit.",
    "  --standard-json      Standard JSON input on stdin, output on stdout.",
    "  --optimize           Enable the optimizer.",
    "  --optimize-runs N    Optimizer runs.",
    "  --evm-version V      Target EVM version.",
    "  --via-ir             Compile through the IR pipeline.",
    "  --base-path P        Root of the source tree.",
    "  --include-path P     Extra source root.",
    "  --allow-paths P      Accepted and ignored (everything is readable).",
    "  --combined-json " + Object.keys(OUTPUTS).concat(["ast"]).join(","),
    "",
  ].join("\n");
}

function parseArgs(argv) {
  const opts = { files: [], remappings: [], includePaths: [], optimize: false, runs: 200 };
  const takesValue = new Set([
    "--optimize-runs", "--evm-version", "--base-path", "--include-path", "--allow-paths",
    "--combined-json", "--output-dir", "-o",
  ]);
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value;
    const eq = arg.indexOf("=");
    if (arg.startsWith("--") && eq > 0 && takesValue.has(arg.slice(0, eq))) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    } else if (takesValue.has(arg)) {
      value = argv[++i];
    }
    switch (arg) {
      case "--version": opts.version = true; break;
      case "--help": opts.help = true; break;
      case "--standard-json": opts.standardJson = true; break;
      case "--optimize": opts.optimize = true; break;
      case "--via-ir": opts.viaIR = true; break;
      case "--optimize-runs": opts.runs = parseInt(value, 10); break;
      case "--evm-version": opts.evmVersion = value; break;
      case "--base-path": opts.basePath = value; break;
      case "--include-path": opts.includePaths.push(value); break;
      case "--allow-paths": break;
      case "--combined-json": opts.combined = value.split(","); break;
      case "--output-dir": case "-o": opts.outputDir = value; break;
      case "-": opts.files.push("-"); break;
      default:
        if (arg.startsWith("-")) {
          if (arg === "--no-color" || arg === "--pretty-json" || arg === "--json-indent") break;
          throw new Error("unrecognised option " + arg);
        }
        if (arg.includes("=") && !fs.existsSync(arg)) opts.remappings.push(arg);
        else opts.files.push(arg);
    }
  }
  return opts;
}

function readStdin() {
  return fs.readFileSync(0, "utf8");
}

function importCallback(roots) {
  return function findImports(unitName) {
    for (const root of roots) {
      const candidate = path.resolve(root, unitName);
      if (fs.existsSync(candidate)) return { contents: fs.readFileSync(candidate, "utf8") };
    }
    return { error: "File not found: " + unitName };
  };
}

function sourceUnitName(file, basePath) {
  const absolute = path.resolve(file);
  if (basePath) {
    const rel = path.relative(path.resolve(basePath), absolute);
    if (!rel.startsWith("..") && !path.isAbsolute(rel)) return rel.split(path.sep).join("/");
  }
  return path.isAbsolute(file) ? absolute : path.normalize(file).split(path.sep).join("/");
}

function compileStandard(input, opts) {
  const parsed = JSON.parse(input);
  // Mythril and others may give sources as `urls`: read them into `content`.
  for (const [name, source] of Object.entries(parsed.sources || {})) {
    if (source.content === undefined && Array.isArray(source.urls)) {
      const url = source.urls.find((u) => fs.existsSync(u));
      if (url) source.content = fs.readFileSync(url, "utf8");
      else if (fs.existsSync(name)) source.content = fs.readFileSync(name, "utf8");
    }
  }
  const roots = [opts.basePath || ".", ...opts.includePaths, "/"];
  const output = solc.compile(JSON.stringify(parsed), { import: importCallback(roots) });
  if (versionAtLeast(0, 4)) return output;
  const legacy = JSON.parse(output);
  legacyNames(legacy, Object.keys(parsed.sources || {}), roots[0]);
  return JSON.stringify(legacy);
}

function versionAtLeast(major, minor) {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(solc.semver ? solc.semver() : longVersion);
  const [a, b] = [parseInt(m[1], 10), parseInt(m[2], 10)];
  return a > major || (a === major && b >= minor);
}

// Before 0.4.0 solc compiled its standard library (owned, mortal, Coin, ...) beside the input,
// named contracts without their file (solc-js files them under "") and gave no runtime source map.
// With one input file and no import, its contracts are that file's, the library's sources (no file
// a tool could read; ids after the input's) are left out, and a missing source map says "no source".
const NO_SOURCE_MAP = "-1:-1:-1";
function legacyNames(output, inputs, root) {
  if (inputs.length !== 1 || !(output.contracts || {})[""]) return;
  const own = (output.sources || {})[inputs[0]];
  const others = Object.entries(output.sources).filter(([name]) => name !== inputs[0]);
  if (!own || others.some(([name, s]) => Number(s.id) < Number(own.id) || fs.existsSync(path.resolve(root, name)))) {
    return;
  }
  output.contracts = { [inputs[0]]: output.contracts[""] };
  output.sources = { [inputs[0]]: { ...own, id: Number(own.id) } }; // solc-js gives "0"
  for (const contract of Object.values(output.contracts[inputs[0]])) {
    for (const code of [contract.evm && contract.evm.bytecode, contract.evm && contract.evm.deployedBytecode]) {
      if (code && code.sourceMap === undefined) code.sourceMap = NO_SOURCE_MAP;
    }
  }
}

function combinedJson(opts) {
  const wanted = opts.combined.filter((o) => o !== "compact-format");
  const sources = {};
  for (const file of opts.files) {
    if (file === "-") sources["<stdin>"] = { content: readStdin() };
    else sources[sourceUnitName(file, opts.basePath)] = { content: fs.readFileSync(file, "utf8") };
  }
  const selection = wanted.filter((o) => OUTPUTS[o]).map((o) => OUTPUTS[o][0]);
  const settings = {
    optimizer: { enabled: opts.optimize, runs: opts.runs },
    outputSelection: { "*": { "*": selection, "": wanted.includes("ast") ? ["ast"] : [] } },
    remappings: opts.remappings,
  };
  if (opts.evmVersion) settings.evmVersion = opts.evmVersion;
  if (opts.viaIR) settings.viaIR = true;
  const input = JSON.stringify({ language: "Solidity", sources, settings });
  const output = JSON.parse(compileStandard(input, opts));
  const errors = (output.errors || []).filter((e) => e.severity === "error");
  for (const e of output.errors || []) process.stderr.write((e.formattedMessage || e.message) + "\n");
  if (errors.length) return null;

  const legacyStrings = !versionAtLeast(0, 8);
  const result = { contracts: {}, sourceList: [], sources: {}, version: longVersion };
  for (const [file, contracts] of Object.entries(output.contracts || {})) {
    for (const [name, contract] of Object.entries(contracts)) {
      const entry = {};
      for (const o of wanted) {
        if (!OUTPUTS[o]) continue;
        let value;
        try { value = OUTPUTS[o][1](contract); } catch (_) { value = undefined; }
        if (value === undefined && o.startsWith("srcmap") && !versionAtLeast(0, 4)) value = NO_SOURCE_MAP;
        if (value === undefined) continue;
        if (legacyStrings && STRING_OUTPUTS_BEFORE_080.has(o)) value = JSON.stringify(value);
        entry[o] = value;
      }
      result.contracts[file + ":" + name] = entry;
    }
  }
  const ordered = Object.entries(output.sources || {}).sort((a, b) => a[1].id - b[1].id);
  for (const [file, source] of ordered) {
    result.sourceList.push(file);
    result.sources[file] = wanted.includes("ast")
      ? { AST: source.ast || source.legacyAST, id: source.id }
      : { id: source.id };
  }
  return JSON.stringify(result);
}

function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(err.message + "\n");
    return 1;
  }
  if (opts.version) {
    process.stdout.write("solc, the solidity compiler commandline interface\nVersion: " + longVersion + "\n");
    return 0;
  }
  if (opts.help) {
    process.stdout.write(usage());
    return 0;
  }
  if (opts.standardJson) {
    process.stdout.write(compileStandard(readStdin(), opts) + "\n");
    return 0;
  }
  if (opts.combined) {
    const out = combinedJson(opts);
    if (out === null) return 1;
    process.stdout.write(out + "\n");
    return 0;
  }
  process.stderr.write("No input files given. See --help.\n");
  return 1;
}

// Never process.exit() after a large write to a pipe: it truncates stdout.
process.exitCode = main();
