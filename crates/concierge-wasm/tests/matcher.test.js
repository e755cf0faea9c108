'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { loadPackage, salonYaml } = require('./salon.js');

const { IntentMatcher } = loadPackage();
const NOW = '2026-03-02T09:00:00-05:00';

test('a booking request parses into the booking intent with tomorrow 3pm at the business offset', () => {
  const matcher = new IntentMatcher(salonYaml);
  const text = "I'd like to book a women's haircut tomorrow at 3pm";
  const parse = matcher.parse(text, { now: NOW });

  assert.equal(parse.intent.name, 'book_appointment');
  assert.ok(parse.intent.confidence > 0 && parse.intent.confidence <= 1);
  assert.equal(parse.intents[0].name, 'book_appointment');
  for (let i = 1; i < parse.intents.length; i++) {
    assert.ok(parse.intents[i - 1].confidence >= parse.intents[i].confidence, 'intents are ranked');
  }

  const datetime = parse.entities.find((e) => e.entity === 'datetime');
  assert.ok(datetime, `no datetime entity in ${JSON.stringify(parse.entities)}`);
  assert.equal(datetime.value.kind, 'time');
  assert.equal(datetime.value.value, '2026-03-03T15:00:00-05:00');
  assert.equal(text.slice(datetime.start, datetime.end), datetime.text, 'offsets index the JS string');
});

test('now may be a Date or epoch milliseconds, with the same result as the RFC 3339 text', () => {
  const matcher = new IntentMatcher(salonYaml);
  const text = 'tomorrow at 3pm';
  const fromText = matcher.parse(text, { now: NOW });
  const fromDate = matcher.parse(text, { now: new Date(NOW) });
  const fromMillis = matcher.parse(text, { now: Date.parse(NOW) });
  assert.deepEqual(fromDate, fromText);
  assert.deepEqual(fromMillis, fromText);
  // A day later, "tomorrow" moves with the clock.
  const later = matcher.parse(text, { now: '2026-03-03T09:00:00-05:00' });
  const value = (p) => p.entities.find((e) => e.entity === 'datetime').value.value;
  assert.equal(value(later), '2026-03-04T15:00:00-05:00');
});

test('without options, dates resolve against the JS clock', () => {
  const matcher = new IntentMatcher(salonYaml);
  const parse = matcher.parse('tomorrow at 3pm');
  const entity = parse.entities.find((e) => e.entity === 'datetime');
  const when = Date.parse(entity.value.value);
  const hoursAhead = (when - Date.now()) / 3600e3;
  assert.ok(hoursAhead > 0 && hoursAhead < 48, `tomorrow 3pm is ${hoursAhead} h away`);
});

test('offsets stay right after characters outside the basic plane', () => {
  const matcher = new IntentMatcher(salonYaml);
  const text = '😀😀 book me in tomorrow at 3pm';
  const parse = matcher.parse(text, { now: NOW });
  const entity = parse.entities.find((e) => e.entity === 'datetime');
  assert.equal(text.slice(entity.start, entity.end), entity.text);
});

test('a spec object and its JSON text give the same matcher', () => {
  const spec = {
    version: 1,
    business: { name: 'Tiny', timezone: 'Europe/Paris' },
    intents: [
      { name: 'greet', examples: ['hi', 'hello there', 'good morning'] },
      { name: 'bye', examples: ['bye', 'goodbye', 'see you later'] },
    ],
  };
  const fromObject = new IntentMatcher(spec);
  const fromJson = new IntentMatcher(JSON.stringify(spec));
  assert.equal(fromObject.timeZone, 'Europe/Paris');
  assert.equal(fromObject.classifier, 'lexical');
  const now = { now: '2026-03-02T09:00:00+01:00' };
  for (const text of ['hello', 'goodbye then', 'see you']) {
    assert.deepEqual(fromObject.parse(text, now), fromJson.parse(text, now));
  }
  assert.equal(fromObject.parse('hello', now).intent.name, 'greet');
  assert.equal(fromObject.parse('goodbye then', now).intent.name, 'bye');
});

test('a bad option is an Error naming the option', () => {
  const matcher = new IntentMatcher(salonYaml);
  assert.throws(() => matcher.parse('hi', { now: 'next tuesday' }), (err) => {
    assert.ok(err instanceof Error);
    assert.match(err.message, /^options\.now: "next tuesday" is not an RFC 3339 time/);
    return true;
  });
  assert.throws(() => matcher.parse('hi', { now: true }), /options\.now: expected an RFC 3339 string/);
  assert.throws(() => matcher.parse('hi', 42), /options: expected an object/);
});
