import type { Hono } from 'hono';
import type { LocalMailServer, ReceivedMail } from './mail-server';

/**
 * `/dev/mail`: the mailbox of the local SMTP server, so a person trying the demo reads what the library sent
 * (local mode only: functions/local/gateway.ts mounts it; the Lambda app has no such route). Server-rendered
 * HTML, newest first, with the links in each mail clickable; JSON for `Accept: application/json`.
 */
const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Plain text with its http(s) links made into anchors (everything else escaped). */
function linkified(text: string): string {
  return text
    .split(/(https?:\/\/[^\s<>"]+)/g)
    .map((part, i) =>
      i % 2 === 1 ? `<a href="${escapeHtml(part)}">${escapeHtml(part)}</a>` : escapeHtml(part),
    )
    .join('');
}

function view(mail: ReceivedMail) {
  return {
    id: mail.id,
    receivedAt: mail.receivedAt,
    from: mail.headers.from ?? mail.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    listUnsubscribe: mail.headers['list-unsubscribe'],
    listUnsubscribePost: mail.headers['list-unsubscribe-post'],
  };
}

export function mountMailbox(root: Hono, server: LocalMailServer): void {
  root.get('/dev/mail', (c) => {
    const mails = server.messages().reverse();
    c.header('Cache-Control', 'no-store');
    if ((c.req.header('Accept') ?? '').includes('application/json')) return c.json({ data: mails.map(view) });
    const items = mails
      .map(
        (m) => `<article aria-labelledby="mail-${m.id}">
<h2 id="mail-${m.id}">${escapeHtml(m.subject || '(no subject)')}</h2>
<dl><dt>To</dt><dd>${escapeHtml(m.to.join(', '))}</dd><dt>From</dt><dd>${escapeHtml(m.headers.from ?? m.from)}</dd><dt>Received</dt><dd><time datetime="${m.receivedAt}">${escapeHtml(m.receivedAt)}</time></dd>${
          m.headers['list-unsubscribe']
            ? `<dt>List-Unsubscribe</dt><dd>${linkified(m.headers['list-unsubscribe'].replace(/^<|>$/g, ''))}</dd>`
            : ''
        }</dl>
<pre>${linkified(m.text)}</pre>
${m.html ? `<p><a href="/dev/mail/${m.id}.html">The HTML part of “${escapeHtml(m.subject)}”</a></p>` : ''}
</article>`,
      )
      .join('\n');
    return c.html(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Local mailbox · Pustaka</title><link rel="icon" href="data:,">
<style>body{font:1rem/1.5 system-ui,sans-serif;max-width:48rem;margin:0 auto;padding:1rem;color:#1a1a1a;background:#fff}
pre{white-space:pre-wrap;word-break:break-word;background:#f4f4f4;padding:.75rem}article{border-top:1px solid #999;padding:.5rem 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:0 1rem}dt{font-weight:600}a{color:#0645ad}</style></head>
<body><main><h1>Local mailbox</h1>
<p>Mails the library sent in local mode (the in-process SMTP server that stands in for Amazon SES), newest first. ${mails.length} in all.</p>
${items || '<p>No mail yet.</p>'}
</main></body></html>`);
  });

  root.get('/dev/mail/:file{[0-9]+\\.html}', (c) => {
    const id = Number(c.req.param('file').replace(/\.html$/, ''));
    const mail = server.messages().find((m) => m.id === id);
    if (!mail?.html) return c.notFound();
    // The mail's own HTML, shown as a mail client would: no scripts, no loads from anywhere.
    c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    return c.html(mail.html);
  });
}
