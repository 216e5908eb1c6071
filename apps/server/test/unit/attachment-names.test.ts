import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Limits } from '@hearth/protocol';
import fc from 'fast-check';
import { safeFilename, urlFilename } from '../../src/domain/messages/attachments';

const extension = (name: string) => /\.[A-Za-z0-9_-]{1,16}$/.exec(name)?.[0] ?? '';

test('a kept name is safe, at most 255 characters, and keeps its extension; its URL name at most 64, the same extension', () => {
  fc.assert(
    fc.property(
      // A name of one path segment that does not start with a dot (a dotfile has no extension).
      fc.string({ maxLength: 400, unit: 'binary' }).map((s) => `x${s.replace(/[\\/]/g, '')}`),
      fc.stringMatching(/^[A-Za-z0-9]{1,10}$/),
      (stem, ext) => {
        const name = safeFilename(`${stem}.${ext}`);
        assert.match(name, /^[A-Za-z0-9-][A-Za-z0-9._-]*$/);
        assert.ok(name.length <= Limits.filenameMax);
        const short = urlFilename(name);
        assert.ok(short.length <= 64);
        assert.equal(extension(name), `.${ext}`, name);
        assert.equal(extension(short), `.${ext}`, short);
      },
    ),
  );
  assert.equal(safeFilename('../../etc/passwd'), 'passwd');
  assert.equal(safeFilename(`${'a'.repeat(300)}.tar.gz`), `${'a'.repeat(252)}.gz`, 'the last extension');
  assert.equal(safeFilename('résumé final.pdf'), 'r_sum_final.pdf');
  assert.equal(urlFilename('short.png'), 'short.png');
});
