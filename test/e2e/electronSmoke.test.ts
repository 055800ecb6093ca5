import { describe, expect, it } from 'vitest';
import { _electron } from 'playwright-core';
import { electronBinary } from '../../scripts/electronBinary.ts';

const binary = electronBinary();
if (!binary) {
  console.log(
    '[electron smoke] skipped: the Electron binary is not installed here (ELECTRON_SKIP_BINARY_DOWNLOAD / no internet). Browser mode covers the renderer and the contract.',
  );
}

describe.skipIf(!binary)('Electron app smoke test', () => {
  it('opens the hardened window on app://station and shows station info', async () => {
    const app = await _electron.launch({ executablePath: binary!, args: ['.', '--no-sandbox'] });
    const win = await app.firstWindow();
    await win.getByTestId('station-info').waitFor();
    expect(win.url()).toBe('app://station/index.html');
    expect(await win.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
    // No remote content: the session cancels a page's request to the network, and the CSP forbids it anyway.
    expect(
      await win.evaluate(() =>
        fetch('https://example.com/').then(
          () => 'loaded',
          () => 'blocked',
        ),
      ),
    ).toBe('blocked');
    // New windows are denied (window.open returns null); the bridge is the contract and nothing else.
    expect(await win.evaluate(() => window.open('https://example.com/') === null)).toBe(true);
    const bridge = await win.evaluate(() => Object.keys((window as unknown as { station: object }).station).sort());
    expect(bridge).toContain('saveDiagnostics');
    expect(bridge).not.toContain('invoke');
    await app.close();
  });
});
