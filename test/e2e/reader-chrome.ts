import type { Page } from 'playwright-core';

/**
 * The immersive reader hides its chrome while the patron reads: these reach the tools as a patron would, by a
 * tap in the middle of the page and, on a narrow screen, the tools menu.
 */

/** A tap (a click) in the middle of the viewport: on the page, between the page-turn zones. */
export async function tapMiddle(page: Page): Promise<void> {
  const viewport = page.viewportSize()!;
  await page.mouse.click(viewport.width / 2, viewport.height / 2);
}

export const chromeState = (page: Page) => page.locator('#reader').getAttribute('data-chrome');

/** Shows the chrome (title, tool bar, progress) if it is hidden. */
export async function revealChrome(page: Page): Promise<void> {
  if ((await chromeState(page)) === 'shown') return;
  await tapMiddle(page);
  await page.locator('#reader[data-chrome="shown"]').waitFor();
}

/** Makes the secondary tools reachable: the chrome shown and, where they sit in a menu, the menu open. */
export async function openTools(page: Page): Promise<void> {
  await revealChrome(page);
  const menu = page.locator('#reader-menu-button');
  if ((await menu.isVisible()) && (await menu.getAttribute('aria-expanded')) !== 'true') await menu.click();
  await page.locator('#reader-tools').getByRole('button').first().waitFor();
}
