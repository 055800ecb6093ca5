import { beforeEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from '../../src-renderer/App.svelte';
import { i18n } from '../../src-renderer/lib/i18n/i18n.svelte.ts';
import { FakeStationApi } from './fakeStationApi.ts';
import { fakeHash } from './fakeHash.ts';

const NOW = Date.parse('2026-11-23T10:00:00Z');
const csv = (...rows: string[]) =>
  ['Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User', ...rows].join('\r\n');

async function chooseFiles(input: HTMLElement, files: File[]) {
  Object.defineProperty(input, 'files', { value: files, configurable: true });
  await fireEvent.change(input);
}

beforeEach(() => {
  localStorage.clear();
  i18n.setLocale('en');
});

async function importResellerFile() {
  const fake = new FakeStationApi({ now: () => NOW });
  render(App, { props: { api: fake.api, initialScreen: 'import' } });
  await chooseFiles(await screen.findByTestId('import-files'), [
    new File(
      [
        csv(
          `SN1,,${fakeHash('Fabrikam', 'EliteBook', 'SN1')},Site-Osaka,`,
          `SN2,,${fakeHash('Fabrikam', 'EliteBook', 'SN2')},,`,
        ),
      ],
      'reseller.csv',
    ),
  ]);
  await waitFor(() =>
    expect(screen.getByTestId('import-files-table').textContent).toContain(
      '2 good, 0 bad · rows with their own group tag: 1',
    ),
  );
  const tag = document.querySelector('#import-group-tag') as HTMLInputElement;
  await fireEvent.input(tag, { target: { value: 'Bench' } });
  return fake;
}

const lastQueueCall = (fake: FakeStationApi) =>
  fake.calls.filter((c) => c.name === 'queueDevices').at(-1)!.input as {
    groupTag?: string;
    overrideGroupTag?: boolean;
  };

describe('Import screen: per-row group tags', () => {
  it("keeps the rows' own tags by default: the chosen tag fills the others", async () => {
    const fake = await importResellerFile();
    await fireEvent.click(screen.getByTestId('queue-good'));
    await waitFor(() => expect(screen.getByTestId('import-result')).toBeTruthy());
    expect(lastQueueCall(fake)).toMatchObject({ groupTag: 'Bench' });
    expect(lastQueueCall(fake).overrideGroupTag).toBeUndefined();
    const rows = [...fake.devices.values()].map((d) => [d.row.serialNumber, d.row.groupTag]);
    expect(rows).toEqual([
      ['SN1', 'Site-Osaka'],
      ['SN2', 'Bench'],
    ]);
  });

  it('"use this tag for every row" replaces them, only when ticked', async () => {
    const fake = await importResellerFile();
    await fireEvent.click(screen.getByTestId('override-group-tag'));
    await fireEvent.click(screen.getByTestId('queue-good'));
    await waitFor(() => expect(screen.getByTestId('import-result')).toBeTruthy());
    expect(lastQueueCall(fake)).toMatchObject({ groupTag: 'Bench', overrideGroupTag: true });
    expect([...fake.devices.values()].map((d) => d.row.groupTag)).toEqual(['Bench', 'Bench']);
  });
});
