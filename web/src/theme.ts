/**
 * The colour theme. Until the patron picks one, the app follows the system's light or dark mode (the CSS
 * `prefers-color-scheme` rules in styles.css); a choice is kept in this browser and set on <html>.
 */

export type ThemeChoice = 'auto' | 'light' | 'sepia' | 'dark';

const storageKey = 'pustaka.theme';
const darkQuery = () => window.matchMedia('(prefers-color-scheme: dark)');

export function themeChoice(): ThemeChoice {
  try {
    const value = localStorage.getItem(storageKey);
    return value === 'light' || value === 'sepia' || value === 'dark' ? value : 'auto';
  } catch {
    return 'auto';
  }
}

/** The theme in effect: the choice, or the system's mode while there is none. */
export function effectiveTheme(choice: ThemeChoice = themeChoice()): Exclude<ThemeChoice, 'auto'> {
  if (choice !== 'auto') return choice;
  return darkQuery().matches ? 'dark' : 'light';
}

/** Marks <html> with the choice (none while following the system). */
export function applyTheme(choice: ThemeChoice = themeChoice()): void {
  if (choice === 'auto') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
}

export function setThemeChoice(choice: ThemeChoice): void {
  try {
    if (choice === 'auto') localStorage.removeItem(storageKey);
    else localStorage.setItem(storageKey, choice);
  } catch {
    // Storage refused (private mode): the choice holds for this page only.
  }
  applyTheme(choice);
}

/** Calls `listener` when the system switches between light and dark; returns the way to stop. */
export function onSystemThemeChange(listener: () => void): () => void {
  const query = darkQuery();
  query.addEventListener('change', listener);
  return () => query.removeEventListener('change', listener);
}
