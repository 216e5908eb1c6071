// A slash command typed with its options inline (`/roll sides:6`), read as Discord's client reads it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApplicationCommand, CommandOption } from '@hearth/protocol';
import { type CommandEntry, parseInline } from '../../src/screens/interactions/commands';

const entry = (label: string, options: Array<Partial<CommandOption>>, path: string[] = []): CommandEntry => ({
  key: label,
  command: { id: '1', name: label.slice(1).split(' ')[0] } as ApplicationCommand,
  application: { id: '9', name: 'Dice Bot', icon: null },
  path,
  label,
  description: '',
  options: options as CommandOption[],
});

const roll = entry('/roll', [
  { type: 4, name: 'sides', required: true },
  { type: 3, name: 'label' },
  { type: 3, name: 'colour', choices: [{ name: 'Light green', value: 'lg' }] },
  { type: 5, name: 'loud' },
]);
const config = entry('/config', []);
const configShow = entry('/config show', [{ type: 3, name: 'key', required: true }], ['show']);
const entries = [roll, config, configShow];

test('options typed inline fill the values, a value running to the next option name', () => {
  assert.deepEqual(parseInline(entries, '/roll sides:6 label:two words here loud:TRUE'), {
    entry: roll,
    values: { sides: '6', label: 'two words here', loud: 'true' },
    unknown: '',
  });
  // In any order, the name in any case; a choice by its name (any case) becomes its value.
  assert.deepEqual(parseInline(entries, '/Roll colour:light green SIDES:12')?.values, {
    colour: 'lg',
    sides: '12',
  });
  // A value may hold a colon that is no option's name.
  assert.deepEqual(parseInline(entries, '/roll label:at 10:30 sides:4')?.values, {
    label: 'at 10:30',
    sides: '4',
  });
});

test('the command must be named in full and followed by a space; the longest label wins', () => {
  assert.equal(parseInline(entries, '/roll'), null, 'still choosing: the list offers it');
  assert.equal(parseInline(entries, '/rol sides:6'), null);
  assert.equal(parseInline(entries, 'roll sides:6'), null);
  assert.deepEqual(parseInline(entries, '/roll ')?.values, {});
  assert.equal(parseInline(entries, '/config show key:x')?.entry, configShow);
  assert.equal(parseInline(entries, '/config ')?.entry, config);
});

test('text that is no option value is kept as unknown, to be said rather than dropped', () => {
  assert.equal(parseInline(entries, '/roll six sides:6')?.unknown, 'six');
  assert.equal(parseInline(entries, '/roll size:6')?.unknown, 'size:6');
  assert.equal(parseInline(entries, '/config extra')?.unknown, 'extra');
});
