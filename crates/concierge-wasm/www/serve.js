// A tiny static server for the demo page and the browser test, on loopback only.
// Serves the repository's crates/concierge-wasm/www, crates/concierge-wasm/pkg/web and
// examples/ (nothing else). Usage: node crates/concierge-wasm/www/serve.js [port]
'use strict';

const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '../../..');
const mounts = {
  '/': path.join(root, 'crates/concierge-wasm/www'),
  '/pkg/': path.join(root, 'crates/concierge-wasm/pkg/web'),
  '/examples/': path.join(root, 'examples'),
};
const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.yaml': 'text/yaml; charset=utf-8',
  '.json': 'application/json',
  '.ts': 'text/plain; charset=utf-8',
};

function resolve(urlPath) {
  const prefix = Object.keys(mounts)
    .filter((p) => urlPath.startsWith(p))
    .sort((a, b) => b.length - a.length)[0];
  if (!prefix) return null;
  const base = mounts[prefix];
  let rel = decodeURIComponent(urlPath.slice(prefix.length)) || 'index.html';
  const file = path.resolve(base, rel);
  return file.startsWith(base + path.sep) ? file : null;
}

function createServer() {
  return http.createServer((req, res) => {
    const file = resolve(new URL(req.url, 'http://localhost').pathname);
    if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
}

/** Starts the server on 127.0.0.1 (port 0 = any free port); resolves to { server, url }. */
function start(port = 0) {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolvePromise({ server, url: `http://127.0.0.1:${server.address().port}/` });
    });
  });
}

module.exports = { start };

if (require.main === module) {
  start(Number(process.argv[2] || 8787)).then(({ url }) => console.log(`serving the demo at ${url}`));
}
