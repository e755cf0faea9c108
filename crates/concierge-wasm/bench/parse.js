// Parse latency of the nodejs build for the salon bot: the median and p95 of
// single `IntentMatcher.parse` calls over a set of messages, after a warm-up.
// Usage: node crates/concierge-wasm/bench/parse.js [iterations per message]
'use strict';

const path = require('node:path');
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');

const root = path.resolve(__dirname, '../../..');
const { IntentMatcher, Engine } = require(path.join(root, 'crates/concierge-wasm/pkg/node'));
const spec = fs.readFileSync(path.join(root, 'examples/salon/bot.yaml'), 'utf8');
const iterations = Number(process.argv[2] || 200);

const messages = [
  "I'd like to book a women's haircut tomorrow at 3pm",
  'do you have parking?',
  'Hi',
  'can I move my appointment to friday morning?',
  'how much is a colour?',
  'I need to cancel',
  '+1 415 555 0100',
  'what are your opening hours on saturday',
];
const options = { now: '2026-03-02T09:00:00-05:00' };

function time(fn) {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

const build = time(() => new IntentMatcher(spec));
const engineBuild = time(() => new Engine(spec));
const matcher = new IntentMatcher(spec);
for (let i = 0; i < 50; i++) for (const m of messages) matcher.parse(m, options);

const samples = [];
const perMessage = new Map(messages.map((m) => [m, []]));
for (let i = 0; i < iterations; i++) {
  for (const m of messages) {
    const ms = time(() => matcher.parse(m, options));
    samples.push(ms);
    perMessage.get(m).push(ms);
  }
}
samples.sort((a, b) => a - b);
const q = (p) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
console.log(`salon bot, nodejs build, Node ${process.version}, ${samples.length} parses of ${messages.length} messages`);
console.log(`  new IntentMatcher(spec): ${build.toFixed(1)} ms; new Engine(spec): ${engineBuild.toFixed(1)} ms`);
console.log(
  `  parse: median ${q(0.5).toFixed(3)} ms, p95 ${q(0.95).toFixed(3)} ms, max ${samples.at(-1).toFixed(3)} ms, mean ${mean.toFixed(3)} ms`,
);
for (const [m, times] of perMessage) {
  times.sort((a, b) => a - b);
  console.log(`  ${times[times.length >> 1].toFixed(3)} ms  ${JSON.stringify(m)}`);
}
