#!/usr/bin/env node
// Compiles the Solidity sources with the pinned solc-js from tools/node and writes one JSON file per contract
// ({contractName, abi, bytecode, deployedBytecode, solcVersion}) into the output directory.
// Usage: node compile.js <src|test|dev> <outDir>   (dev: the local-chain token in dev/, shipped for the devnet and demo)
// The Maven build of the ethereum module runs it, so the ABI and bytecode the Java code uses always come from
// the source in this folder.
'use strict';
const fs = require('fs');
const path = require('path');

const here = __dirname;
const root = path.resolve(here, '..', '..');
const PINNED_SOLC = '0.8.24'; // tools/node/package.json pins it; the contract's pragma asks for exactly this
const toolsDir = path.join(root, 'tools', 'node');
let solc;
try {
  solc = require(path.join(toolsDir, 'node_modules', 'solc'));
} catch (e) {
  if (e.code !== 'MODULE_NOT_FOUND') throw e;
  console.error(`compile.js: the Solidity compiler (npm solc ${PINNED_SOLC}) is not installed in ${toolsDir}.\n` +
    `Install the pinned Node.js tools first:  cd tools/node && npm ci`);
  process.exit(3);
}
if (!solc.version().startsWith(PINNED_SOLC + '+')) {
  console.error(`compile.js: ${toolsDir}/node_modules has solc ${solc.version()}, expected ${PINNED_SOLC}.\n` +
    `Reinstall the pinned tools:  cd tools/node && npm ci`);
  process.exit(3);
}

const [which, outDir] = process.argv.slice(2);
if (!['src', 'test', 'dev'].includes(which) || !outDir) {
  console.error('usage: node compile.js <src|test|dev> <outDir>');
  process.exit(2);
}

const sources = {};
const DIRS = { src: ['src'], test: ['src', 'test'], dev: ['dev'] };
for (const dir of DIRS[which]) {
  for (const f of fs.readdirSync(path.join(here, dir)).filter((f) => f.endsWith('.sol')).sort()) {
    sources[`${dir}/${f}`] = { content: fs.readFileSync(path.join(here, dir, f), 'utf8') };
  }
}

const input = {
  language: 'Solidity',
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    viaIR: true, // lock() has more locals than the legacy pipeline's stack allows
    evmVersion: 'cancun',
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
  },
};

function findImports(p) {
  const file = path.join(here, p);
  if (file.startsWith(here) && fs.existsSync(file)) return { contents: fs.readFileSync(file, 'utf8') };
  return { error: `import not found: ${p}` };
}

const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const errors = (output.errors || []).filter((e) => e.severity === 'error');
for (const e of output.errors || []) console.error(e.formattedMessage);
if (errors.length > 0) process.exit(1);

fs.mkdirSync(outDir, { recursive: true });
let n = 0;
for (const [file, contracts] of Object.entries(output.contracts)) {
  // test builds write only the test contracts; the HTLC itself comes from the main build
  if (which !== 'src' && !file.startsWith(`${which}/`)) continue;
  for (const [name, c] of Object.entries(contracts)) {
    if (!c.evm.bytecode.object) continue; // interfaces
    const json = {
      contractName: name,
      source: file,
      solcVersion: solc.version(),
      abi: c.abi,
      bytecode: '0x' + c.evm.bytecode.object,
      deployedBytecode: '0x' + c.evm.deployedBytecode.object,
    };
    fs.writeFileSync(path.join(outDir, `${name}.json`), JSON.stringify(json, null, 2) + '\n');
    n++;
  }
}
console.log(`compiled ${n} contract(s) with solc ${solc.version()} into ${outDir}`);
