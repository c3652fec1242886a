#!/usr/bin/env node
// Many compilations in one solc-js process: one standard-JSON input per line on stdin, one output
// per line on stdout, in order. Loading the wasm compiler once saves ~1 s per compilation.
"use strict";
const readline = require("readline");
const solc = require("solc");

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on("line", (line) => {
  let output;
  try {
    output = JSON.parse(solc.compile(line));
  } catch (error) {
    output = { errors: [{ severity: "error", type: "BatchError", message: String(error) }] };
  }
  process.stdout.write(JSON.stringify(output) + "\n");
});
