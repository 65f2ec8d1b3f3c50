import { en } from './en';
import { id, type MessageKey, type Messages } from './id';

export type Language = 'id' | 'en';
export type { MessageKey };

const catalogues: Record<Language, Messages> = { id, en };
const storageKey = 'pustaka.language';
const listeners = new Set<() => void>();

function stored(): Language {
  try {
    const value = localStorage.getItem(storageKey);
    return value === 'en' || value === 'id' ? value : 'id';
  } catch {
    return 'id';
  }
}

let current: Language = stored();

export function language(): Language {
  return current;
}

/** Switches the UI language, remembers it, and re-renders whoever listens. */
export function setLanguage(next: Language): void {
  current = next;
  try {
    localStorage.setItem(storageKey, next);
  } catch {
    // private mode: the switch still works for this visit
  }
  document.documentElement.lang = next;
  for (const listener of listeners) listener();
}

export function onLanguageChange(listener: () => void): void {
  listeners.add(listener);
}

/** The message for `key` in the current language, with `{name}` placeholders filled. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = catalogues[current][key];
  return template.replace(/\{(\w+)\}/g, (_, name: string) =>
    name in params ? String(params[name]) : `{${name}}`,
  );
}

/**
 * The message for a problem `code` (from the API, or the client's own such as NETWORK) in the current language;
 * a code without one gets a general message that names it, never the problem's English `detail`.
 */
export function errorMessage(code: string): string {
  const key = `error.${code}`;
  return key in catalogues[current] ? t(key as MessageKey) : t('error.unknown', { code });
}

const locales: Record<Language, string> = { id: 'id-ID', en: 'en-GB' };

export function formatDate(iso: string, withTime = false): string {
  const date = new Date(iso);
  return new Intl.DateTimeFormat(locales[current], {
    dateStyle: 'long',
    ...(withTime ? { timeStyle: 'short' } : {}),
  }).format(date);
}

/**
 * The library's time zone: deadlines are the library's, said the same way to every patron whatever their
 * device's clock (Kota Nusantara keeps Western Indonesian Time).
 */
export const libraryTimeZone = 'Asia/Jakarta';

/** A deadline in the library's time zone, short: "Thu 4 Dec, 14:00" / "Kam, 4 Des, 14.00". */
export function formatDeadline(iso: string): string {
  return new Intl.DateTimeFormat(locales[current], {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: libraryTimeZone,
  }).format(new Date(iso));
}

/** An estimated wait in words, rounded as an estimate should be: "about 2 weeks". */
export function waitText(days: number): string {
  if (days <= 0) return t('wait.soon');
  if (days === 1) return t('wait.day');
  if (days < 7) return t('wait.days', { n: days });
  const weeks = Math.round(days / 7);
  if (weeks < 7) return weeks === 1 ? t('wait.week') : t('wait.weeks', { n: weeks });
  const months = Math.round(days / 30);
  return months === 1 ? t('wait.month') : t('wait.months', { n: months });
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${new Intl.NumberFormat(locales[current], { maximumFractionDigits: 1 }).format(value)} ${units[unit]}`;
}

/** A language code as words ("en-US" → "English"). */
export function languageName(code: string | undefined): string {
  if (!code) return '';
  const base = code.toLowerCase().split('-')[0];
  if (base === 'id' || base === 'ind') return t('lang.id');
  if (base === 'en' || base === 'eng') return t('lang.en');
  try {
    return new Intl.DisplayNames([locales[current]], { type: 'language' }).of(code) ?? code;
  } catch {
    return code;
  }
}

document.documentElement.lang = current;
