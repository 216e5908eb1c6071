import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): Promise<void>;
}

/** SMTP when `smtpUrl` is given; otherwise a dev outbox of files under `outboxDir` plus a log line with the link. */
export function createMailer(opts: {
  smtpUrl?: string;
  from: string;
  outboxDir: string;
  logger: { info(obj: object, msg?: string): void };
}): Mailer {
  if (opts.smtpUrl) return smtpMailer(opts.smtpUrl, opts.from);
  return outboxMailer(opts.outboxDir, opts.from, opts.logger);
}

function smtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    async send(m) {
      await transport.sendMail({ from, to: m.to, subject: m.subject, text: m.text, html: m.html });
    },
    async close() {
      transport.close();
    },
  };
}

function outboxMailer(dir: string, from: string, logger: { info(obj: object, msg?: string): void }): Mailer {
  return {
    async send(m) {
      await mkdir(dir, { recursive: true });
      const date = new Date();
      const name = `${date.toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`;
      const file = join(dir, name);
      const headers = [
        `From: ${from}`,
        `To: ${m.to}`,
        `Subject: ${m.subject}`,
        `Date: ${date.toUTCString()}`,
      ];
      const body = `${headers.join('\n')}\nContent-Type: text/plain; charset=utf-8\n\n${m.text}`;
      // Written whole, then renamed: a reader never sees half a message.
      await writeFile(`${file}.tmp`, body);
      await rename(`${file}.tmp`, file);
      const link = m.text.match(/https?:\/\/\S+/)?.[0];
      logger.info({ to: m.to, subject: m.subject, file, link }, 'mail written to outbox');
    },
    async close() {},
  };
}
