import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AppError } from '../../server/errors.js';
import { acceptedField, booleanField, nameField, optional, schema, secretField } from '../../server/http/schema.js';

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const settings = schema({ visible: booleanField, note: optional(secretField(5)) }, { code: 'invalid_settings', closed: true });

test('returns the typed fields, leaving out an optional field that was not sent', () => {
  assert.equal(settings({ visible: false }), { visible: false });
  assert.equal(settings({ visible: true, note: 'hi' }), { visible: true, note: 'hi' });
});

test('reports every failing field at once under the schema code', () => {
  const error = refusal(() => settings({ visible: 'yes', note: 'far too long', colour: 'red' }));
  assert.is(error.kind, 'invalid');
  assert.is(error.code, 'invalid_settings');
  assert.equal(error.fields, { visible: 'must_be_boolean', note: 'too_long', colour: 'not_allowed' });
});

test('counts null as sent: an optional field cannot be nulled past its reader', () => {
  assert.equal(refusal(() => settings({ visible: true, note: null })).fields, { note: 'required' });
});

test('ignores unknown keys unless the schema is closed', () => {
  const open = schema({ accept: acceptedField });
  assert.equal(open({ accept: true, extra: 1 }), { accept: true });
  assert.equal(refusal(() => open({ accept: 'true' })).fields, { accept: 'must_accept' });
});

test('refuses a body that is not an object with invalid_body', () => {
  for (const body of [undefined, null, [], 'text', 3]) assert.is(refusal(() => settings(body)).code, 'invalid_body');
});

test('runs the cross-field check only once every field is valid', () => {
  let checks = 0;
  const pair = schema(
    { from: secretField(10), to: secretField(10) },
    {
      check: (input, problems) => {
        checks++;
        if (input.from === input.to) problems['to'] = 'same_as_from';
      },
    },
  );
  assert.equal(refusal(() => pair({ from: 'a' })).fields, { to: 'required' });
  assert.is(checks, 0);
  assert.equal(refusal(() => pair({ from: 'a', to: 'a' })).fields, { to: 'same_as_from' });
  assert.equal(pair({ from: 'a', to: 'b' }), { from: 'a', to: 'b' });
});

test('reads a name under the shared name rule', () => {
  const person = schema({ name: nameField(10) });
  assert.equal(person({ name: '  Ana  ' }), { name: 'Ana' });
  assert.equal(refusal(() => person({ name: 'A\u0007na' })).fields, { name: 'control_characters' });
  assert.equal(refusal(() => person({ name: 'x'.repeat(11) })).fields, { name: 'too_long' });
});

test.run();
