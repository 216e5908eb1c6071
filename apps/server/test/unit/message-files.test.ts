import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFileCount, keptFiles } from '../../src/domain/messages/message-files';

const files = [{ id: '1579459373372014592' }, { id: '1579459373372014593' }, { id: '1579459373372014594' }];

test('without an attachments list an edit keeps every file', () => {
  assert.deepEqual(keptFiles(files, undefined), { kept: files, dropped: [] });
});

test('a list keeps the files it names by id and drops the rest; new files and unknown ids change nothing', () => {
  const { kept, dropped } = keptFiles(files, [
    { id: '1579459373372014593' },
    { id: '0', filename: 'new.txt' },
    { id: '999' },
    null,
    'junk',
  ]);
  assert.deepEqual(kept, [files[1]]);
  assert.deepEqual(dropped, ['1579459373372014592', '1579459373372014594']);
});

test('an empty list drops every file', () => {
  assert.deepEqual(
    keptFiles(files, []).dropped,
    files.map((f) => f.id),
  );
});

test('a message holds at most ten files', () => {
  checkFileCount(10);
  assert.throws(
    () => checkFileCount(11),
    (err: { code?: number }) => err.code === 50035,
  );
});
