/**
 * Debian's Chromium, headless, driven by playwright-core (Playwright's own browser download is not
 * available here). CHROMIUM_PATH overrides where it is. playwright-core is loaded on first use, so
 * tests that never open a browser do not load it.
 */
import type { Browser } from 'playwright-core';

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
