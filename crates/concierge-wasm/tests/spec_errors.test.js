'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { loadPackage, salonYaml } = require('./salon.js');

const { IntentMatcher, Engine } = loadPackage();

test('a spec with a wrongly typed field throws an Error naming the path and line', () => {
  const bad = salonYaml.replace(/duration_minutes: 60/, 'duration_minutes: sixty');
  assert.notEqual(bad, salonYaml);
  for (const Ctor of [IntentMatcher, Engine]) {
    assert.throws(() => new Ctor(bad), (err) => {
      assert.ok(err instanceof Error, 'a real Error');
      assert.match(err.message, /invalid bot spec/);
      assert.match(err.message, /business\.services\[0\]\.duration_minutes/);
      assert.match(err.message, /line \d+/);
      return true;
    });
  }
});

test('a flow triggered by an undeclared intent is reported at its path', () => {
  const spec = {
    version: 1,
    business: { name: 'Tiny', timezone: 'Europe/Paris' },
    intents: [
      { name: 'greet', examples: ['hi', 'hello'] },
      { name: 'bye', examples: ['bye', 'goodbye'] },
    ],
    flows: [{ name: 'f', triggers: ['greeet'], steps: [{ say: 'hello' }] }],
  };
  assert.throws(() => new Engine(spec), (err) => {
    assert.ok(err instanceof Error);
    assert.match(err.message, /^invalid bot spec/);
    assert.match(err.message, /flows[^\n]*triggers[^\n]*greeet/);
    return true;
  });
});

test('a JSON spec with a syntax error names where it broke', () => {
  assert.throws(() => new IntentMatcher('{"version": 1, "business": '), /invalid bot spec[\s\S]*line 1 column/);
});

test('a spec that is neither text nor an object is refused', () => {
  assert.throws(() => new IntentMatcher(42), /spec: expected YAML or JSON text or a plain object, got number/);
  assert.throws(() => new IntentMatcher(undefined), /spec: expected YAML or JSON text/);
});
