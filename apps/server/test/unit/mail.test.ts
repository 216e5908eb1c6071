import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createMailer } from '../../src/mail/mailer';
import { startSmtp } from '../smtp';

const silent = { info() {} };

describe('mail outbox', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'hearth-mail-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('writes a readable file and logs the link', async () => {
    const outboxDir = join(dir, 'outbox'); // does not exist yet
    const lines: { obj: Record<string, unknown>; msg?: string }[] = [];
    const mailer = createMailer({
      from: 'Hearth <noreply@hearth.test>',
      outboxDir,
      logger: { info: (obj, msg) => lines.push({ obj: obj as Record<string, unknown>, msg }) },
    });
    const link = 'http://localhost:8080/verify?token=abc.def_123';
    await mailer.send({
      to: 'ada@example.com',
      subject: 'Confirm your email',
      text: `Welcome!\n\nConfirm your address at ${link}.\nOr ignore: https://example.com/other\n`,
      html: `<a href="${link}">Confirm</a>`,
    });
    await mailer.send({ to: 'bob@example.com', subject: 'No links', text: 'Nothing to click.' });
    await mailer.close();

    const files = readdirSync(outboxDir).sort();
    assert.equal(files.length, 2);
    for (const f of files) assert.match(f, /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z-[0-9a-f]+\.eml$/);

    const first = lines[0];
    assert.equal(first.msg, 'mail written to outbox');
    assert.deepEqual(first.obj, {
      to: 'ada@example.com',
      subject: 'Confirm your email',
      file: first.obj.file,
      link,
    });
    const content = readFileSync(first.obj.file as string, 'utf8');
    assert.match(content, /^From: Hearth <noreply@hearth\.test>$/m);
    assert.match(content, /^To: ada@example\.com$/m);
    assert.match(content, /^Subject: Confirm your email$/m);
    assert.match(content, /^Date: .+ GMT$/m);
    assert.ok(content.includes(`\n\nWelcome!\n\nConfirm your address at ${link}.`));

    assert.equal(lines[1].obj.to, 'bob@example.com');
    assert.equal(lines[1].obj.link, undefined);
  });

  test('a newline in a subject cannot add headers', async () => {
    const outboxDir = join(dir, 'inject');
    const mailer = createMailer({ from: 'noreply@hearth.test', outboxDir, logger: silent });
    await mailer.send({ to: 'ada@example.com', subject: 'Hi\nBcc: eve@example.com', text: 'x' });
    const [file] = readdirSync(outboxDir);
    const content = readFileSync(join(outboxDir, file), 'utf8');
    assert.doesNotMatch(content, /^Bcc:/m);
    assert.match(content, /^Subject: Hi Bcc: eve@example\.com$/m);
  });
});

describe('mail over SMTP', () => {
  test('delivers To, Subject and body, logging in with the URL credentials', async () => {
    const smtp = await startSmtp();
    const mailer = createMailer({
      smtpUrl: `smtp://hearth:s3cret@127.0.0.1:${smtp.port}`,
      from: 'Hearth <noreply@hearth.test>',
      outboxDir: join(tmpdir(), 'unused-outbox'),
      logger: silent,
    });
    try {
      await mailer.send({
        to: 'ada@example.com',
        subject: 'Confirm your email',
        text: 'Confirm at http://localhost/verify?t=1',
      });
    } finally {
      await mailer.close();
      await smtp.close();
    }
    assert.deepEqual(smtp.logins, [{ username: 'hearth', password: 's3cret' }]);
    assert.equal(smtp.delivered.length, 1);
    const [mail] = smtp.delivered;
    assert.equal(mail.from, 'noreply@hearth.test');
    assert.deepEqual(mail.to, ['ada@example.com']);
    assert.match(mail.raw, /^To: ada@example\.com\r?$/m);
    assert.match(mail.raw, /^Subject: Confirm your email\r?$/m);
    assert.match(mail.raw, /^From: Hearth <noreply@hearth\.test>\r?$/m);
    assert.ok(mail.raw.includes('Confirm at http://localhost/verify?t=1'));
  });

  test('a rejected recipient makes send() reject', async () => {
    const smtp = await startSmtp({
      onRcptTo(_address, _session, cb) {
        cb(Object.assign(new Error('no such mailbox'), { responseCode: 550 }));
      },
    });
    const mailer = createMailer({
      smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
      from: 'noreply@hearth.test',
      outboxDir: join(tmpdir(), 'unused-outbox'),
      logger: silent,
    });
    try {
      await assert.rejects(
        mailer.send({ to: 'nobody@example.com', subject: 's', text: 't' }),
        /no such mailbox/,
      );
    } finally {
      await mailer.close();
      await smtp.close();
    }
    assert.equal(smtp.delivered.length, 0);
  });

  test('an unreachable server makes send() reject', async () => {
    const smtp = await startSmtp();
    await smtp.close(); // nothing listens on this port any more
    const mailer = createMailer({
      smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
      from: 'noreply@hearth.test',
      outboxDir: join(tmpdir(), 'unused-outbox'),
      logger: silent,
    });
    await assert.rejects(mailer.send({ to: 'ada@example.com', subject: 's', text: 't' }), {
      code: 'ESOCKET',
    });
    await mailer.close();
  });
});
