import type { Language, MailContent, MailKind } from './notification';

/**
 * The words of the library's mails and in-app notifications, in Indonesian and English. Deadlines are shown
 * in the library's time zone (LIBRARY_TIME_ZONE), whatever zone the server or the patron's phone is in.
 */

export interface MailFacts {
  kind: MailKind;
  language: Language;
  name: string;
  /** The title's name (absent for verify-email). */
  title?: string;
  deadline?: string;
  timeZone: string;
  /** Where in the app the patron acts on it (the title, the shelf, or the verification). */
  link: string;
  unsubscribeUrl?: string;
}

export function formatDeadline(iso: string, language: Language, timeZone: string): string {
  const format = new Intl.DateTimeFormat(language === 'id' ? 'id-ID' : 'en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  });
  return format.format(new Date(iso));
}

type Words = { subject: string; body: string; action: string };

function words(facts: MailFacts, when: string): Words {
  const t = facts.title ?? '';
  if (facts.language === 'en') {
    switch (facts.kind) {
      case 'hold-reserved':
        return {
          subject: `Ready for you: ${t}`,
          body: `A copy of “${t}” is kept for you until ${when}. Borrow it before then, or it passes to the next in line.`,
          action: 'Borrow it',
        };
      case 'reservation-expiring':
        return {
          subject: `Last day to borrow: ${t}`,
          body: `The copy of “${t}” kept for you goes to the next in line at ${when}.`,
          action: 'Borrow it',
        };
      case 'reservation-lapsed':
        return {
          subject: `Reservation ended: ${t}`,
          body: `The copy of “${t}” kept for you was not borrowed by ${when} and has passed on. You can place a new hold.`,
          action: 'See the title',
        };
      case 'loan-ending-3d':
      case 'loan-ending-1d':
        return {
          subject: `Your loan ends soon: ${t}`,
          body: `Your loan of “${t}” ends at ${when}. Renew it if nobody is waiting, or finish reading before then.`,
          action: 'Open my shelf',
        };
      case 'loan-ended':
        return {
          subject: `Loan ended: ${t}`,
          body: `Your loan of “${t}” ended at ${when}. You can borrow it again or place a hold.`,
          action: 'See the title',
        };
      case 'wish-available':
        return {
          subject: `Now in the library: ${t}`,
          body: `You asked to be told when the library can lend “${t}”. It can now.`,
          action: 'See the title',
        };
      case 'verify-email':
        return {
          subject: 'Confirm your e-mail address',
          body: 'Follow the link to confirm that the library may send its notices to this address. If you did not ask for this, ignore this mail.',
          action: 'Confirm this address',
        };
    }
  }
  switch (facts.kind) {
    case 'hold-reserved':
      return {
        subject: `Siap untuk Anda: ${t}`,
        body: `Satu salinan “${t}” disimpan untuk Anda sampai ${when}. Pinjam sebelum itu, atau salinan diberikan ke antrean berikutnya.`,
        action: 'Pinjam sekarang',
      };
    case 'reservation-expiring':
      return {
        subject: `Hari terakhir untuk meminjam: ${t}`,
        body: `Salinan “${t}” yang disimpan untuk Anda diberikan ke antrean berikutnya pada ${when}.`,
        action: 'Pinjam sekarang',
      };
    case 'reservation-lapsed':
      return {
        subject: `Reservasi berakhir: ${t}`,
        body: `Salinan “${t}” yang disimpan untuk Anda tidak dipinjam sampai ${when} dan sudah diberikan ke antrean berikutnya. Anda dapat memesan lagi.`,
        action: 'Lihat judul',
      };
    case 'loan-ending-3d':
    case 'loan-ending-1d':
      return {
        subject: `Peminjaman segera berakhir: ${t}`,
        body: `Peminjaman “${t}” berakhir pada ${when}. Perpanjang bila tidak ada yang menunggu, atau selesaikan membaca sebelum itu.`,
        action: 'Buka rak saya',
      };
    case 'loan-ended':
      return {
        subject: `Peminjaman berakhir: ${t}`,
        body: `Peminjaman “${t}” berakhir pada ${when}. Anda dapat meminjamnya lagi atau memesannya.`,
        action: 'Lihat judul',
      };
    case 'wish-available':
      return {
        subject: `Kini tersedia di perpustakaan: ${t}`,
        body: `Anda minta diberi tahu bila perpustakaan dapat meminjamkan “${t}”. Kini sudah bisa.`,
        action: 'Lihat judul',
      };
    case 'verify-email':
      return {
        subject: 'Konfirmasi alamat e-mail Anda',
        body: 'Ikuti tautan ini untuk mengonfirmasi bahwa perpustakaan boleh mengirim pemberitahuan ke alamat ini. Bila Anda tidak memintanya, abaikan e-mail ini.',
        action: 'Konfirmasi alamat ini',
      };
  }
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The mail for one event: the same text in the plain part and the HTML part. */
export function composeMail(facts: MailFacts): MailContent {
  const when = facts.deadline ? formatDeadline(facts.deadline, facts.language, facts.timeZone) : '';
  const w = words(facts, when);
  const greeting = facts.language === 'en' ? `Dear ${facts.name},` : `Yth. ${facts.name},`;
  const signature = facts.language === 'en' ? 'Your library' : 'Perpustakaan Anda';
  const unsubscribe =
    facts.unsubscribeUrl === undefined
      ? undefined
      : facts.language === 'en'
        ? 'Stop these e-mails'
        : 'Berhenti menerima e-mail ini';
  const text = [
    greeting,
    '',
    w.body,
    '',
    `${w.action}: ${facts.link}`,
    '',
    signature,
    ...(unsubscribe ? ['', `${unsubscribe}: ${facts.unsubscribeUrl}`] : []),
  ].join('\n');
  const html = [
    `<!doctype html><html lang="${facts.language}"><head><meta charset="utf-8"><title>${escapeHtml(w.subject)}</title></head><body>`,
    `<p>${escapeHtml(greeting)}</p>`,
    `<p>${escapeHtml(w.body)}</p>`,
    `<p><a href="${escapeHtml(facts.link)}">${escapeHtml(w.action)}</a></p>`,
    `<p>${escapeHtml(signature)}</p>`,
    unsubscribe
      ? `<p><small><a href="${escapeHtml(facts.unsubscribeUrl!)}">${escapeHtml(unsubscribe)}</a></small></p>`
      : '',
    '</body></html>',
  ].join('');
  return { subject: w.subject, text, html };
}
