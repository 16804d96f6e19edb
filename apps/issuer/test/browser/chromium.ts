/**
 * Debian's Chromium, headless, driven by playwright-core (Playwright's own browser download is not
 * available here). CHROMIUM_PATH overrides where it is.
 */
import { type Browser, chromium } from 'playwright-core';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
