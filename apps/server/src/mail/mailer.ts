import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Transporter } from 'nodemailer';

interface MailMessage {
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

/** nodemailer is loaded by the first mail sent, so an idle server does not hold it (docs/performance.md, idle RSS). */
function smtpMailer(url: string, from: string): Mailer {
  let transport: Promise<Transporter> | null = null;
  // Timeouts well under nodemailer's defaults (2 min to connect), so an unreachable relay fails a request quickly.
  const open = () =>
    import('nodemailer').then((m) =>
      m.default.createTransport({
        url,
        connectionTimeout: 15_000,
        greetingTimeout: 15_000,
        socketTimeout: 30_000,
      }),
    );
  return {
    async send(m) {
      transport ??= open().catch((err) => {
        transport = null;
        throw err;
      });
      await (await transport).sendMail({ from, to: m.to, subject: m.subject, text: m.text, html: m.html });
    },
    async close() {
      (await transport?.catch(() => null))?.close();
    },
  };
}

function outboxMailer(dir: string, from: string, logger: { info(obj: object, msg?: string): void }): Mailer {
  return {
    async send(m) {
      await mkdir(dir, { recursive: true });
      const date = new Date();
      const name = `${date.toISOString().replaceAll(':', '-')}-${randomBytes(4).toString('hex')}.eml`;
      const file = join(dir, name);
      const headers = [
        `From: ${oneLine(from)}`,
        `To: ${oneLine(m.to)}`,
        `Subject: ${oneLine(m.subject)}`,
        `Date: ${date.toUTCString()}`,
      ];
      const body = `${headers.join('\n')}\nContent-Type: text/plain; charset=utf-8\n\n${m.text}`;
      // Written whole, then renamed: a reader never sees half a message.
      await writeFile(`${file}.tmp`, body);
      await rename(`${file}.tmp`, file);
      const link = firstLink(m.text);
      logger.info({ to: m.to, subject: m.subject, file, link }, 'mail written to outbox');
    },
    async close() {},
  };
}

/** A header value on one line, so a newline in a subject cannot forge headers. */
function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}

/** The first http(s) URL in a text, without the punctuation that ends a sentence around it. */
function firstLink(text: string): string | undefined {
  return text.match(/https?:\/\/[^\s<>"]+/)?.[0].replace(/[.,;:!?)\]'>]+$/, '');
}
