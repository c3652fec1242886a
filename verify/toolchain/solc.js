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
//
// Each compiler's soljson.js is loaded through V8's code cache, and its version
// string kept beside it (so `--version` loads no compiler), in
// FAIRWATT_SOLC_V8_CACHE (default .fairwatt-cache/solc-v8), keyed by the file's
// path, size and time and by Node's version; V8 refuses a cache that does not fit.
// FAIRWATT_SOLC_OUTPUTS may name a folder where a --combined-json compile asking for
// no more than Slither's outputs is kept and served again (see compileShared).
"use strict";

const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const path = require("path");
const vm = require("vm");

const SOLJSON = process.env.FAIRWATT_SOLC_PACKAGE
  ? path.resolve(process.env.FAIRWATT_SOLC_PACKAGE, "soljson.js")
  : require.resolve("solc/soljson.js");
const V8_CACHE =
  process.env.FAIRWATT_SOLC_V8_CACHE || path.resolve(__dirname, "..", "..", ".fairwatt-cache", "solc-v8");
const COMPILER_KEY = (() => {
  const stat = fs.statSync(SOLJSON);
  return digest([SOLJSON, stat.size, stat.mtimeMs, process.version].join("\0"));
})();

function digest(text) {
  return crypto.createHash("sha256").update(text).digest("hex").slice(0, 32);
}

function writeAtomically(file, data) {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}`;
    fs.writeFileSync(partial, data);
    fs.renameSync(partial, file);
  } catch (_) {
    // A cache that cannot be written only costs time.
  }
}

let loaded = null;
function compiler() {
  if (loaded) return loaded.solc;
  const cacheFile = path.join(V8_CACHE, COMPILER_KEY + ".v8");
  let cachedData;
  try { cachedData = fs.readFileSync(cacheFile); } catch (_) { cachedData = undefined; }
  const script = new vm.Script(Module.wrap(fs.readFileSync(SOLJSON, "utf8")), { filename: SOLJSON, cachedData });
  const soljson = { exports: {} };
  const run = script.runInThisContext();
  run.call(soljson.exports, soljson.exports, Module.createRequire(SOLJSON), soljson, SOLJSON, path.dirname(SOLJSON));
  const solc = require("solc/wrapper")(soljson.exports);
  loaded = { solc, script, stale: !cachedData || script.cachedDataRejected, cacheFile };
  const versionFile = path.join(V8_CACHE, COMPILER_KEY + ".version");
  if (!fs.existsSync(versionFile)) writeAtomically(versionFile, solc.version());
  return solc;
}

// After a compile, so that the functions it compiled lazily are in the cache too.
function saveCodeCache() {
  if (loaded && loaded.stale) writeAtomically(loaded.cacheFile, loaded.script.createCachedData());
}

function longVersion() {
  let version;
  try { version = fs.readFileSync(path.join(V8_CACHE, COMPILER_KEY + ".version"), "utf8"); } catch (_) {
    version = compiler().version();
  }
  return version.replace(/\.Emscripten\.clang$/, ".Linux.g++");
}

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
    "Version: " + longVersion(),
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

// `read`: the files imported, each with the digest of its text.
function importCallback(roots, read) {
  return function findImports(unitName) {
    for (const root of roots) {
      const candidate = path.resolve(root, unitName);
      if (fs.existsSync(candidate)) {
        const contents = fs.readFileSync(candidate, "utf8");
        read[candidate] = digest(contents);
        return { contents };
      }
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

function compileStandard(input, opts, read = {}) {
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
  const output = compiler().compile(JSON.stringify(parsed), { import: importCallback(roots, read) });
  saveCodeCache();
  if (versionAtLeast(0, 4)) return output;
  const legacy = JSON.parse(output);
  legacyNames(legacy, Object.keys(parsed.sources || {}), roots[0]);
  return JSON.stringify(legacy);
}

function versionAtLeast(major, minor) {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(longVersion());
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

// Slither's outputs (crytic-compile's --combined-json list, compact-format aside).
const SHARED = ["abi", "ast", "bin", "bin-runtime", "srcmap", "srcmap-runtime", "userdoc", "devdoc", "hashes"];

// With FAIRWATT_SOLC_OUTPUTS set (`fairwatt scan` sets it to a folder of its own), a compile asking
// for no more than SHARED compiles SHARED once, keyed by the compiler, the settings and the sources,
// and serves it again while the files it imported are unchanged: the scan's compile that chooses a
// file's compiler and Slither's compile of the file are one. A failed compile is not kept.
function compileShared(sources, settings, opts, wanted) {
  const folder = process.env.FAIRWATT_SOLC_OUTPUTS;
  const shared = folder && wanted.every((o) => SHARED.includes(o));
  const selection = (shared ? SHARED : wanted).filter((o) => OUTPUTS[o]).map((o) => OUTPUTS[o][0]);
  const ast = shared || wanted.includes("ast") ? ["ast"] : [];
  const outputSelection = { "*": { "*": selection, "": ast } };
  const input = JSON.stringify({ language: "Solidity", sources, settings: { ...settings, outputSelection } });
  if (!shared) return compileStandard(input, opts);
  const key = digest(JSON.stringify([COMPILER_KEY, input, opts.basePath, opts.includePaths]));
  const file = path.join(folder, key + ".json");
  const unchanged = ([name, hash]) => fs.existsSync(name) && digest(fs.readFileSync(name, "utf8")) === hash;
  try {
    const kept = JSON.parse(fs.readFileSync(file, "utf8"));
    if (Object.entries(kept.imports).every(unchanged)) return kept.output;
  } catch (_) {
    // Not kept yet (or unreadable): compile.
  }
  const imports = {};
  const output = compileStandard(input, opts, imports);
  if (!(JSON.parse(output).errors || []).some((e) => e.severity === "error")) {
    writeAtomically(file, JSON.stringify({ imports, output }));
  }
  return output;
}

function combinedJson(opts) {
  const wanted = opts.combined.filter((o) => o !== "compact-format");
  const sources = {};
  for (const file of opts.files) {
    if (file === "-") sources["<stdin>"] = { content: readStdin() };
    else sources[sourceUnitName(file, opts.basePath)] = { content: fs.readFileSync(file, "utf8") };
  }
  const settings = { optimizer: { enabled: opts.optimize, runs: opts.runs }, remappings: opts.remappings };
  if (opts.evmVersion) settings.evmVersion = opts.evmVersion;
  if (opts.viaIR) settings.viaIR = true;
  const output = JSON.parse(compileShared(sources, settings, opts, wanted));
  const errors = (output.errors || []).filter((e) => e.severity === "error");
  for (const e of output.errors || []) process.stderr.write((e.formattedMessage || e.message) + "\n");
  if (errors.length) return null;

  const legacyStrings = !versionAtLeast(0, 8);
  const result = { contracts: {}, sourceList: [], sources: {}, version: longVersion() };
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
    process.stdout.write("solc, the solidity compiler commandline interface\nVersion: " + longVersion() + "\n");
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
