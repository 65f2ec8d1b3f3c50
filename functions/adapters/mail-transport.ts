import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import nodemailer from 'nodemailer';
import type { MailTransport, OutgoingMail } from '../domain/notification';

/**
 * The library's mail goes out through nodemailer, built the same way for both transports (multipart text and
 * HTML, List-Unsubscribe headers); only where it is handed differs: Amazon SES (SESv2, the stack's sender
 * identity and configuration set) on AWS, a plain SMTP server locally (the one `npm start` runs in process).
 */
type Mailer = ReturnType<typeof nodemailer.createTransport>;

function transportOver(mailer: Mailer, from: string, extra: Record<string, unknown> = {}): MailTransport {
  return {
    async send(mail: OutgoingMail) {
      const headers: Record<string, string> = {};
      if (mail.unsubscribeUrl) {
        headers['List-Unsubscribe'] = `<${mail.unsubscribeUrl}>`;
        // RFC 8058: a mail client may turn it off with one POST, no sign-in, no page in between.
        headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
      }
      const info = (await mailer.sendMail({
        from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        headers,
        ...extra,
      })) as { messageId?: string };
      return { messageId: info.messageId ?? '' };
    },
  };
}

/** Local mode and tests: SMTP to the in-process server. Short timeouts: an unreachable server is a retry. */
export function smtpTransport(options: { host: string; port: number; from: string }): MailTransport {
  const mailer = nodemailer.createTransport({
    host: options.host,
    port: options.port,
    secure: false,
    ignoreTLS: true,
    connectionTimeout: 5_000,
    greetingTimeout: 5_000,
    socketTimeout: 10_000,
  });
  return transportOver(mailer, options.from);
}

/** AWS: SESv2 SendEmail with the raw MIME nodemailer built, tagged with the stack's configuration set. */
export function sesTransport(options: {
  region: string;
  from: string;
  configurationSet?: string;
  client?: SESv2Client;
}): MailTransport {
  const sesClient = options.client ?? new SESv2Client({ region: options.region, maxAttempts: 2 });
  const mailer = nodemailer.createTransport({ SES: { sesClient, SendEmailCommand } });
  return transportOver(
    mailer,
    options.from,
    options.configurationSet ? { ses: { ConfigurationSetName: options.configurationSet } } : {},
  );
}
