/**
 * Headless Debian Chromium for the browser tests, driven by playwright-core
 * (never `playwright install`: the binary is /usr/bin/chromium). The flags keep
 * it off the network: the tests only talk to servers on 127.0.0.1.
 */
import { chromium, type Browser } from 'playwright-core';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
