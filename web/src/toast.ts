/**
 * Transient messages: toasts inside the viewport (fixed, so they never push the page down and a page scrolled
 * anywhere still shows them), announced through the one live region, fading on their own. Every page speaks
 * through here: `announce` in dom.ts is this.
 */

export type ToastKind = 'info' | 'error';

/** How long a toast stays: errors longer, as they usually ask the patron to do something. */
const lifetime: Record<ToastKind, number> = { info: 5000, error: 9000 };
/** The fade-out (matches the transition in styles.css). */
const fadeMs = 400;
const maxShown = 3;

function region(): HTMLElement | null {
  return document.getElementById('status');
}

/** Shows `message` as a toast; an empty message clears them all (a new page starts with none). */
export function toast(message: string, kind: ToastKind = 'info'): void {
  const container = region();
  if (!container) return;
  if (message === '') {
    container.replaceChildren();
    container.hidden = true;
    return;
  }
  // The same message again (a second click) restarts its toast rather than stacking a copy.
  for (const old of container.querySelectorAll<HTMLElement>('.toast')) {
    if (old.textContent === message) old.remove();
  }
  const item = document.createElement('div');
  item.className = `toast toast-${kind}`;
  item.dataset.kind = kind;
  item.textContent = message;
  // A refusal is said at once, not after whatever the screen reader is reading.
  if (kind === 'error') item.setAttribute('role', 'alert');
  container.append(item);
  container.hidden = false;
  while (container.children.length > maxShown) container.firstElementChild?.remove();
  const fade = setTimeout(() => {
    item.classList.add('leaving');
    setTimeout(() => {
      item.remove();
      if (!container.children.length) container.hidden = true;
    }, fadeMs);
  }, lifetime[kind]);
  // A pointer or focus on a toast keeps it while the patron reads it.
  item.addEventListener('pointerenter', () => clearTimeout(fade), { once: true });
}
