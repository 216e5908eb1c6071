import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { createMailer } from '../../src/mail/mailer';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir() {
  const d = mkdtempSync(join(tmpdir(), 'hearth-mail-'));
  dirs.push(d);
  return d;
}

async function startSmtp(opts: { reject?: boolean }) {
  const received: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(_address, _session, cb) {
      if (opts.reject) cb(new Error('mailbox unavailable'));
      else cb();
    },
    onData(stream, _session, cb) {
      let data = '';
      stream.on('data', (c) => (data += c));
      stream.on('end', () => {
        received.push(data);
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    received,
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('mail', () => {
  test('the dev outbox writes a readable file and logs the link', async () => {
    const dir = tempDir();
    const logs: Array<{ obj: any; msg?: string }> = [];
    const mailer = createMailer({
      from: 'Hearth <h@localhost>',
      outboxDir: join(dir, 'outbox'),
      logger: { info: (obj, msg) => logs.push({ obj, msg }) },
    });
    await mailer.send({
      to: 'a@example.test',
      subject: 'Hello',
      text: 'Open http://localhost:8080/verify#token=abc now.',
    });
    const files = readdirSync(join(dir, 'outbox'));
    assert.equal(files.length, 1);
    const text = readFileSync(join(dir, 'outbox', files[0]), 'utf8');
    assert.match(text, /^From: Hearth <h@localhost>$/m);
    assert.match(text, /^To: a@example.test$/m);
    assert.match(text, /^Subject: Hello$/m);
    assert.match(text, /verify#token=abc/);
    assert.equal(logs.length, 1);
    assert.equal(logs[0].msg, 'mail written to outbox');
    assert.equal(logs[0].obj.link, 'http://localhost:8080/verify#token=abc');
  });

  test('SMTP delivers to a real server', async () => {
    const smtp = await startSmtp({});
    const mailer = createMailer({
      smtpUrl: smtp.url,
      from: 'hearth@example.test',
      outboxDir: tempDir(),
      logger: { info() {} },
    });
    try {
      await mailer.send({
        to: 'b@example.test',
        subject: 'Confirm your Hearth account',
        text: 'The link: http://x/verify#token=t1',
      });
      assert.equal(smtp.received.length, 1);
      const raw = smtp.received[0];
      assert.match(raw, /^To: b@example.test/m);
      assert.match(raw, /^Subject: Confirm your Hearth account/m);
      assert.match(raw, /verify#token=t1/);
    } finally {
      await mailer.close();
      await smtp.close();
    }
  });

  test('a refusing SMTP server makes send fail instead of hanging', async () => {
    const smtp = await startSmtp({ reject: true });
    const mailer = createMailer({
      smtpUrl: smtp.url,
      from: 'hearth@example.test',
      outboxDir: tempDir(),
      logger: { info() {} },
    });
    try {
      await assert.rejects(mailer.send({ to: 'c@example.test', subject: 'x', text: 'y' }));
    } finally {
      await mailer.close();
      await smtp.close();
    }
  });
});
