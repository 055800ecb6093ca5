/**
 * Every screen is clean under axe-core, in the light AND the dark theme (contrast included), with
 * the device-detail dialog open too. Runs the built screen harness (fake station) in Chromium.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { harnessInChromium } from './harnessServer.ts';

// Evaluated through the DevTools protocol: the station's CSP (script-src 'self') refuses an injected <script>.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  nodes: { target: string[]; failureSummary?: string }[];
}

const harness = harnessInChromium();

async function axe(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const w = window as unknown as {
      axe: { run: (ctx: Document, opts: object) => Promise<{ violations: Violation[] }> };
    };
    return (await w.axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  return violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} — ${n.failureSummary ?? ''}`),
  );
}

const csv = (rows: string[]) =>
  Buffer.from(['Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User', ...rows].join('\r\n'));
const hash = (m: string, model: string, s: string) => Buffer.from(`FAKEHASH|${m}|${model}|${s}`).toString('base64');

/** Each screen as a technician leaves it: with something read, a bad row, a device open. */
const SCREENS: { name: string; fragment: string; prepare?: (page: Page) => Promise<void> }[] = [
  {
    name: 'capture',
    fragment: 'screen=capture&n=200',
    prepare: async (page) => {
      await page.getByTestId('read-this-device').click();
      await page.getByTestId('hash-file').setInputFiles({
        name: 'a.csv',
        mimeType: 'text/csv',
        buffer: csv([`PF4XK2QZ,,${hash('Contoso', 'Surface Laptop 6', 'SN9999')},,`]),
      });
      await page.getByTestId('decoded-model').waitFor();
    },
  },
  {
    name: 'import',
    fragment: 'screen=import&n=200',
    prepare: async (page) => {
      await page.getByTestId('import-files').setInputFiles({
        name: 'batch.csv',
        mimeType: 'text/csv',
        buffer: csv([`SN1001,,${hash('Fabrikam', 'EliteBook 840 G11', 'SN1001')},Kiosk,`, 'SN1003,only-two']),
      });
      await page.getByTestId('bad-rows').waitFor();
    },
  },
  {
    name: 'queue',
    fragment: 'screen=queue&n=400',
    prepare: async (page) => void (await page.getByTestId('queue-row').first().waitFor()),
  },
  {
    name: 'queue, signed out (waiting rows)',
    fragment: 'screen=queue&n=400&mode=tenant',
    prepare: async (page) => void (await page.getByTestId('queue-row').first().waitFor()),
  },
  {
    name: 'settings',
    fragment: 'screen=settings&n=10&mode=tenant',
    prepare: async (page) => void (await page.locator('#s-tenant').waitFor()),
  },
  {
    name: 'device detail',
    fragment: 'screen=queue&n=400&device=dev-8',
    prepare: async (page) => void (await page.getByTestId('detail-events').waitFor()),
  },
  {
    name: 'shortcuts',
    fragment: 'screen=capture&n=10',
    prepare: async (page) => {
      await page.getByTestId('shortcuts-button').click();
      await page.getByTestId('shortcuts').waitFor();
    },
  },
];

describe('axe-core on every screen, light and dark, English and Japanese', () => {
  for (const theme of ['light', 'dark'] as const) {
    for (const lang of ['en', 'ja'] as const) {
      it.each(SCREENS)(
        `%s (${theme}, ${lang})`.replace('%s', '$name'),
        async ({ fragment, prepare }) => {
          const page = await harness.newPage({ viewport: { width: 1366, height: 768 } });
          try {
            await page.goto(`${harness.url}#${fragment}&theme=${theme}&lang=${lang}`);
            await prepare?.(page);
            expect(await axe(page)).toEqual([]);
          } finally {
            await page.close();
          }
        },
        60_000,
      );
    }
  }
});
