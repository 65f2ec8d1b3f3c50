/** A tiny element builder: no framework, no innerHTML (so no markup from data ever becomes DOM). */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'class') {
      element.className = String(value);
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(parent: Node, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Announces a message to screen readers and shows it, as a toast inside the viewport (web/src/toast.ts). */
export { toast as announce } from './toast';

export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last: A | undefined;
  const debounced = (...args: A) => {
    last = args;
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      fn(...args);
    }, ms);
  };
  /** Runs a pending call now (e.g. when the page is hidden). */
  debounced.flush = () => {
    if (timer !== undefined && last) {
      clearTimeout(timer);
      timer = undefined;
      fn(...last);
    }
  };
  return debounced;
}

/**
 * Runs an async job one call at a time: a call made while one runs waits for it, and of the calls that waited only
 * the newest runs (the others are superseded). So an older save still on its way (e.g. held up by a token refresh)
 * is never overtaken by a newer one sent beside it. The job handles its own failures.
 */
export function newestInTurn<A extends unknown[]>(
  job: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  let running: Promise<void> | undefined;
  let waiting: A | undefined;
  const drain = async () => {
    while (waiting) {
      const args = waiting;
      waiting = undefined;
      await job(...args);
    }
    running = undefined;
  };
  return (...args: A) => {
    waiting = args;
    running ??= drain();
    return running;
  };
}

/** Languages written right to left (primary subtags), for text that comes from a book. */
const rtlLanguages = new Set([
  'ar',
  'arc',
  'ckb',
  'dv',
  'fa',
  'he',
  'iw',
  'ps',
  'sd',
  'syr',
  'ug',
  'ur',
  'yi',
]);

/** The `lang`/`dir` attributes for text taken from a book in `language` (a BCP 47 tag), if any is known. */
export function bookTextAttrs(language: string | undefined): { lang?: string; dir?: 'rtl' } {
  if (!language) return {};
  const primary = language.toLowerCase().split(/[-_]/)[0] ?? '';
  const script = /-(arab|hebr|syrc|thaa|nkoo|adlm)\b/i.test(language);
  return rtlLanguages.has(primary) || script ? { lang: language, dir: 'rtl' } : { lang: language };
}
