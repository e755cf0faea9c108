// Shared fixtures for the Node tests: the nodejs build and the salon spec.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '../../..');
const pkgNode = path.join(root, 'crates/concierge-wasm/pkg/node');

function loadPackage() {
  if (!fs.existsSync(path.join(pkgNode, 'concierge.js'))) {
    throw new Error(`${pkgNode} is missing: run scripts/build-wasm.sh first`);
  }
  return require(pkgNode);
}

const salonYaml = fs.readFileSync(path.join(root, 'examples/salon/bot.yaml'), 'utf8');

// The foundation transcript: its `# now:` clock and its user lines.
function foundationTranscript() {
  const text = fs.readFileSync(
    path.join(root, 'crates/concierge-core/tests/transcripts/01_foundation.txt'),
    'utf8',
  );
  let now = null;
  const lines = [];
  for (const line of text.split('\n')) {
    const clock = line.match(/^# now:\s*(.+)$/);
    if (clock) now = clock[1].trim();
    else if (line.trim() && !line.startsWith('#')) lines.push(line);
  }
  return { now, lines };
}

module.exports = { root, loadPackage, salonYaml, foundationTranscript };
