'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { loadPackage, salonYaml, foundationTranscript } = require('./salon.js');

const { Engine } = loadPackage();

test("the foundation transcript's first six lines end in a confirmed booking", () => {
  const { now, lines } = foundationTranscript();
  assert.equal(now, '2026-03-02T09:00:00-05:00');
  const first6 = lines.slice(0, 6);
  assert.deepEqual(first6, [
    'Hi',
    "I'd like to book a women's haircut tomorrow at 3pm",
    'Jane Doe',
    'do you have parking?',
    '+1 415 555 0100',
    'yes',
  ]);
  const engine = new Engine(salonYaml);
  const turns = first6.map((line) => engine.handle('c1', line, { now }));

  assert.equal(turns[1].parse.intent.name, 'book_appointment');
  assert.ok(turns[3].events.some((e) => e.type === 'kb_answer' && e.id === 'parking'), 'parking is answered');
  for (const t of turns.slice(0, 5)) {
    assert.ok(!t.events.some((e) => e.type === 'booking_confirmed'), 'no booking before the yes');
  }
  const confirmed = turns[5].events.find((e) => e.type === 'booking_confirmed');
  assert.ok(confirmed, `no booking_confirmed in ${JSON.stringify(turns[5].events)}`);
  assert.equal(confirmed.booking.start, '2026-03-03T15:00:00-05:00');
  assert.equal(confirmed.booking.end, '2026-03-03T16:00:00-05:00');
  assert.equal(confirmed.booking.service, "Women's haircut");
  assert.deepEqual(confirmed.booking.customer, { name: 'Jane Doe', phone: '+14155550100' });
  assert.match(turns[5].replies[0].text, new RegExp(`reference is ${confirmed.booking.reference}`));
  assert.equal(turns[5].state.turns, 6);
  assert.deepEqual(engine.conversationIds(), ['c1']);
});

test('conversations are independent and bookings are shared by the engine', () => {
  const now = '2026-03-02T09:00:00-05:00';
  const engine = new Engine(salonYaml);
  engine.handle('a', "I'd like to book a women's haircut tomorrow at 3pm", { now });
  const b = engine.handle('b', 'Hi', { now });
  assert.equal(b.state.turns, 1);
  assert.equal(b.state.stack.length, 0, 'b has no flow from a');
  assert.equal(JSON.parse(engine.exportState('a')).stack.length, 1);
});

test('an exported state continues in another engine', () => {
  const now = '2026-03-02T09:00:00-05:00';
  const first = new Engine(salonYaml);
  first.handle('c', "I'd like to book a women's haircut tomorrow at 3pm", { now });
  first.handle('c', 'Jane Doe', { now });
  const saved = first.exportState('c');
  assert.equal(typeof saved, 'string');
  assert.equal(first.exportState('unknown'), undefined);

  const second = new Engine(salonYaml);
  second.importState('c', saved);
  const phone = second.handle('c', '+1 415 555 0100', { now });
  assert.ok(phone.events.some((e) => e.type === 'slot_set' && e.name === 'phone' && e.value === '+14155550100'));
  assert.match(phone.replies[0].text, /Jane Doe/);

  // The parsed object is accepted too.
  const third = new Engine(salonYaml);
  third.importState('c', JSON.parse(saved));
  assert.equal(third.exportState('c'), saved);
});

test('a bad state or message is an Error and leaves the conversation as it was', () => {
  const now = '2026-03-02T09:00:00-05:00';
  const engine = new Engine(salonYaml);
  engine.handle('c', 'Hi', { now });
  const before = engine.exportState('c');
  assert.throws(() => engine.importState('c', '{"turns": "many"}'), /state for conversation "c": invalid type/);
  assert.throws(() => engine.handle('c', '   ', { now }), /the message is empty/);
  assert.throws(() => engine.handle('c', 'x'.repeat(5000), { now }), /5000 bytes long; the limit is 4096/);
  assert.equal(engine.exportState('c'), before);
});

test('a handed-off conversation stays silent until released', () => {
  const now = '2026-03-02T09:00:00-05:00';
  const engine = new Engine(salonYaml);
  const handoff = engine.handle('c', 'I want to talk to a person', { now });
  assert.ok(handoff.events.some((e) => e.type === 'handoff_requested'));
  assert.deepEqual(engine.handle('c', 'hello?', { now }).replies, []);
  assert.deepEqual(engine.release('c'), [{ type: 'handoff_released' }]);
  assert.ok(engine.handle('c', 'Hi', { now }).replies.length > 0);
  assert.equal(engine.forget('c'), true);
  assert.equal(engine.forget('c'), false);
});
