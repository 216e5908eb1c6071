import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { IMPORT_MAX_ROWS, parseCsv, unguardCell } from '../../src/domain/users/imports.service';

/** A field as Hearth's exports write it (RFC 4180 quoting), for the round trip below. */
const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

describe('CSV import parsing', () => {
  test('RFC 4180: quotes, doubled quotes, commas and line breaks inside quotes, CRLF or LF; blank lines skipped', () => {
    assert.deepEqual(parseCsv('a,b\r\n"c, ""d""",e\n\n"multi\nline",f'), [
      ['a', 'b'],
      ['c, "d"', 'e'],
      ['multi\nline', 'f'],
    ]);
    assert.deepEqual(parseCsv('x\n'), [['x']]);
    assert.deepEqual(parseCsv('a,,\n'), [['a', '', '']]);
    assert.deepEqual(parseCsv(''), []);
  });

  test('malformed or unbounded input is refused, not half read', () => {
    assert.equal(parseCsv('"unclosed,quote\n'), null);
    assert.equal(parseCsv(`${'a,'.repeat(20)}a\n`), null);
    assert.equal(parseCsv(`${'x'.repeat(5000)}\n`), null);
    assert.equal(parseCsv('a\n'.repeat(IMPORT_MAX_ROWS + 2)), null);
    assert.equal(parseCsv('a\n'.repeat(IMPORT_MAX_ROWS))?.length, IMPORT_MAX_ROWS);
  });

  test('what the exports write is read back as it was', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.string({ maxLength: 30 }), { minLength: 2, maxLength: 4 }), { maxLength: 20 }),
        (rows) => {
          const text = rows.map((r) => `${r.map(quote).join(',')}\n`).join('');
          // A row of blank fields is a line of commas, never a blank line, so every row comes back.
          assert.deepEqual(parseCsv(text), rows);
        },
      ),
    );
  });

  test("a formula guard's apostrophe comes off; any other apostrophe stays", () => {
    for (const s of ['=1+2', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) assert.equal(unguardCell(`'${s}`), s);
    assert.equal(unguardCell("'quoted'"), "'quoted'");
    assert.equal(unguardCell('=raw'), '=raw');
  });
});
