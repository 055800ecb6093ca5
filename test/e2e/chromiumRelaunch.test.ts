import { describe, expect, it } from 'vitest';
import { relaunchingChromium } from './support.ts';

describe('the screens suite survives a Chromium crash', () => {
  it('opens the next page in a new browser after the previous one went away', async () => {
    const browser = relaunchingChromium();
    try {
      const first = await browser.page();
      await first.setContent('<p>before</p>');
      // What a crash looks like from the test's side: the browser disconnects under an open page.
      await first.context().browser()!.close();
      const second = await browser.page();
      await second.setContent('<p>after</p>');
      expect(await second.textContent('p')).toBe('after');
      expect(browser.relaunches()).toBe(1);
    } finally {
      await browser.close();
    }
  });
});
