import { beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import App from '../../src-renderer/App.svelte';
import { i18n } from '../../src-renderer/lib/i18n/i18n.svelte.ts';
import { wordCode } from '../../src-renderer/lib/codes.ts';
import { FakeStationApi, type FakeOptions } from './fakeStationApi.ts';
import { seedQueue } from './seedQueue.ts';
import { fakeHash } from './fakeHash.ts';

/** What makes a technician stop, guess or do the wrong thing, in the screens. */
const NOW = Date.parse('2026-11-23T10:00:00Z');
type Screen = 'capture' | 'import' | 'queue' | 'settings';
/** Four or more Latin words in a row: an English sentence (codes, file names and GUIDs are one word). */
const LATIN_SENTENCE = /[A-Za-z]{2,}(?:[ ,.:;'()-]+[A-Za-z]{2,}){3,}/;

function start(options: FakeOptions = {}, initialScreen?: Screen, n = 40) {
  const fake = new FakeStationApi({ now: () => NOW, devices: seedQueue(n, NOW), ...options });
  render(App, { props: { api: fake.api, ...(initialScreen ? { initialScreen } : {}) } });
  return fake;
}
const csv = (...rows: string[]) =>
  ['Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User', ...rows].join('\r\n');
async function chooseFiles(input: HTMLElement, files: File[]) {
  Object.defineProperty(input, 'files', { value: files, configurable: true });
  await fireEvent.change(input);
}
/** Reads this device, gives it a hash file whose serial is `inHash`, and sets the group tag. */
async function captureWith(inHash: string, tag = 'Sales-Tokyo') {
  await fireEvent.click(await screen.findByTestId('read-this-device'));
  await waitFor(() => expect((screen.getByTestId('serial-input') as HTMLInputElement).value).toBe('PF4XK2QZ'));
  await chooseFiles(screen.getByTestId('hash-file'), [
    new File([csv(`PF4XK2QZ,,${fakeHash('Contoso', 'Surface Laptop 6', inHash)},,`)], 'a.csv'),
  ]);
  await screen.findByTestId('decoded-model');
  await fireEvent.input(screen.getByTestId('group-tag-input'), { target: { value: tag } });
}
function errorAreaTexts(): string[] {
  return [...document.querySelectorAll('.error-area, [role="alert"], [data-testid="error-advice"], .toast')].map(
    (e) => e.textContent ?? '',
  );
}

beforeEach(() => {
  localStorage.clear();
  sessionStorage.clear();
  i18n.setLocale('en');
});

describe('capture', () => {
  it('does not queue a device it knows is wrong without a second, explicit action; the finding keeps its words everywhere', async () => {
    const fake = start();
    await captureWith('PF9OTHER');
    const finding = (await screen.findByTestId('findings')).querySelector(
      '[data-code="SERIAL_MISMATCH"]',
    )!.textContent!;
    await fireEvent.click(screen.getByTestId('queue-device'));
    expect(await screen.findByTestId('capture-confirm')).toBeTruthy();
    expect(fake.calls.some((c) => c.name === 'queueDevices')).toBe(false);
    // Ctrl+Enter does not answer the question.
    await fireEvent.keyDown(document.body, { key: 'Enter', ctrlKey: true });
    expect(fake.calls.some((c) => c.name === 'queueDevices')).toBe(false);
    await fireEvent.click(screen.getByTestId('capture-confirm-yes'));
    const result = await screen.findByTestId('capture-result');
    expect(result.getAttribute('data-kind')).toBe('invalid');
    expect(result.className).toContain('invalid');
    expect(result.textContent).toContain('kept in the queue as invalid');
    // The findings stay until the technician moves on.
    expect(screen.getByTestId('findings').querySelector('[data-code="SERIAL_MISMATCH"]')!.textContent).toBe(finding);
    await fireEvent.click(screen.getByTestId('capture-next'));
    expect(screen.queryByTestId('findings')).toBeNull();
    // The queue and the device panel say what the Capture screen said, not "Unknown error".
    await fireEvent.keyDown(document.body, { key: '3', altKey: true });
    await fireEvent.input(await screen.findByTestId('queue-search'), { target: { value: 'PF4XK2QZ' } });
    const row = (await screen.findAllByTestId('queue-row'))[0]!;
    const advice = within(row).getByTestId('error-advice');
    const sentence = wordCode('SERIAL_MISMATCH');
    expect(advice.textContent).toContain(sentence);
    expect(advice.textContent).not.toContain(i18n.t('error.unknown'));
    await fireEvent.click(row);
    const panel = await screen.findByTestId('detail-findings');
    expect(panel.querySelector('[data-code="SERIAL_MISMATCH"]')!.textContent).toBe(finding);
  });

  it('capturing the same serial twice says so instead of adding a second row', async () => {
    const fake = start();
    await captureWith('PF4XK2QZ');
    await fireEvent.click(screen.getByTestId('queue-device'));
    await waitFor(() => expect(screen.getByTestId('capture-result').getAttribute('data-kind')).toBe('queued'));
    const rows = () => [...fake.devices.values()].filter((d) => d.row.serialNumber === 'PF4XK2QZ').length;
    expect(rows()).toBe(1);
    await captureWith('PF4XK2QZ');
    expect((await screen.findByTestId('capture-in-queue')).textContent).toContain('already in the queue');
    await fireEvent.click(screen.getByTestId('queue-device'));
    expect((await screen.findByTestId('capture-confirm')).getAttribute('data-pending')).toBe('inQueue');
    await fireEvent.click(screen.getByTestId('capture-confirm-yes'));
    await waitFor(() => expect(screen.getByTestId('capture-result').getAttribute('data-kind')).toBe('duplicate'));
    expect(screen.getByTestId('capture-result').textContent).toContain('it was not added again');
    expect(rows()).toBe(1);
  });

  it('an empty group tag asks once, unless the admin allows it', async () => {
    const fake = start();
    await captureWith('PF4XK2QZ', '');
    await fireEvent.click(screen.getByTestId('queue-device'));
    expect((await screen.findByTestId('capture-confirm')).getAttribute('data-pending')).toBe('noTag');
    await fireEvent.click(screen.getByTestId('capture-confirm-yes'));
    await waitFor(() => expect(fake.calls.filter((c) => c.name === 'queueDevices')).toHaveLength(1));
    cleanup();
    const allowed = start({ settings: { allowEmptyGroupTag: true } });
    await waitFor(() => expect(allowed.calls.some((c) => c.name === 'getSettings')).toBe(true));
    await captureWith('PF4XK2QZ', '');
    await fireEvent.click(screen.getByTestId('queue-device'));
    await waitFor(() => expect(allowed.calls.filter((c) => c.name === 'queueDevices')).toHaveLength(1));
    expect(screen.queryByTestId('capture-confirm')).toBeNull();
  });

  it('reading the drop folder when none is set answers next to the button', async () => {
    start(); // the fake's settings have no drop folder
    await fireEvent.click(await screen.findByTestId('read-drop-folder'));
    const answer = await screen.findByTestId('drop-folder-result');
    expect(answer.textContent).toBe(wordCode('DROP_FOLDER_NOT_SET'));
    expect(answer.parentElement).toBe(screen.getByTestId('read-drop-folder').parentElement);
  });
});

describe('messages in the technician language', () => {
  it('in Japanese, no English sentence reaches an error area', async () => {
    i18n.setLocale('ja');
    const fake = start({
      info: { mode: 'tenant', tenant: { tenantId: 'contoso.onmicrosoft.com', cloud: 'global' } },
      auth: {
        state: 'error',
        error: { code: 'AUTH_CONSENT_MISSING', message: 'The app registration has not been granted the permission.' },
      },
    });
    // Capture: a file error, a finding, the drop folder.
    await fireEvent.click(await screen.findByTestId('read-drop-folder'));
    await screen.findByTestId('drop-folder-result');
    await chooseFiles(screen.getByTestId('hash-file'), [new File([csv('SN1,only-two')], 'bad.csv')]);
    await screen.findByTestId('capture-file-errors');
    await chooseFiles(screen.getByTestId('hash-file'), [
      new File([csv(`PF4XK2QZ,,${fakeHash('Contoso', 'M', 'OTHER')},,`)], 'a.csv'),
    ]);
    await screen.findByTestId('findings');
    expect(errorAreaTexts().filter((x) => LATIN_SENTENCE.test(x))).toEqual([]);
    // Toasts from the station: worded from their facts.
    fake.emit('attention', {
      kind: 'device-needs-attention',
      deviceIds: ['dev-1'],
      message: 'PF1 was refused by Intune with an error.',
      serialNumber: 'PF1',
      errorCode: 808,
      errorName: 'ZtdDeviceAssignedToOtherTenant',
    });
    fake.emit('attention', {
      kind: 'batch-finished',
      deviceIds: [],
      message: 'All devices in the batch were sent.',
      count: 1,
    });
    await screen.findByTestId('toast-count');
    // Import: a file that is not a hash file, bad rows.
    await fireEvent.keyDown(document.body, { key: '2', altKey: true });
    await chooseFiles(await screen.findByTestId('import-files'), [
      new File(['x'], 'notes.txt'),
      new File([csv('SN3,broken')], 'one.csv'),
    ]);
    await screen.findByTestId('bad-rows');
    await screen.findByTestId('import-not-read');
    expect(errorAreaTexts().filter((x) => LATIN_SENTENCE.test(x))).toEqual([]);
    // Queue: every failed, invalid and timed-out device's advice.
    await fireEvent.keyDown(document.body, { key: '3', altKey: true });
    await screen.findAllByTestId('queue-row');
    expect(screen.getAllByTestId('error-advice').length).toBeGreaterThan(5);
    expect(errorAreaTexts().filter((x) => LATIN_SENTENCE.test(x))).toEqual([]);
    // Settings: the sign-in error by its code, a bad tenant id.
    await fireEvent.keyDown(document.body, { key: '4', altKey: true });
    expect((await screen.findByTestId('auth-error')).textContent).toContain(wordCode('AUTH_CONSENT_MISSING'));
    await fireEvent.input(await screen.findByTestId('settings-tenant'), { target: { value: 'not a tenant' } });
    await fireEvent.submit(screen.getByTestId('settings-form'));
    await screen.findByTestId('settings-fix');
    expect(errorAreaTexts().filter((x) => LATIN_SENTENCE.test(x))).toEqual([]);
    // The test can fail: an English sentence in an error area is caught.
    expect(LATIN_SENTENCE.test('The station reported an error')).toBe(true);
  });

  it('settings say what a valid tenant id and client id look like, mark the field, and do not save', async () => {
    const fake = start({}, 'settings');
    const tenant = await screen.findByTestId('settings-tenant');
    expect(screen.getByTestId('settings-tenant-help').textContent).toContain('contoso.onmicrosoft.com');
    await fireEvent.input(tenant, { target: { value: 'contoso' } });
    expect(tenant.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId('settings-tenant-help').textContent).toContain('GUID');
    await fireEvent.input(screen.getByTestId('settings-client'), { target: { value: '1234' } });
    expect(screen.getByTestId('settings-client').getAttribute('aria-invalid')).toBe('true');
    await fireEvent.submit(screen.getByTestId('settings-form'));
    expect(await screen.findByTestId('settings-fix')).toBeTruthy();
    expect(fake.calls.some((c) => c.name === 'updateSettings')).toBe(false);
    await fireEvent.input(tenant, { target: { value: 'contoso.onmicrosoft.com' } });
    await fireEvent.input(screen.getByTestId('settings-client'), {
      target: { value: '0C1A6B9E-6F4E-4B7A-9C4D-2F1E3A5B7C9D' },
    });
    await fireEvent.submit(screen.getByTestId('settings-form'));
    await waitFor(() =>
      expect(fake.calls.find((c) => c.name === 'updateSettings')?.input).toEqual({
        patch: { tenantId: 'contoso.onmicrosoft.com', clientId: '0C1A6B9E-6F4E-4B7A-9C4D-2F1E3A5B7C9D' },
      }),
    );
  });
});

describe('counts, removals, exports, small things', () => {
  it('plural rules on screen: one file, one good device', async () => {
    start({}, 'import');
    await chooseFiles(await screen.findByTestId('import-files'), [
      new File([csv(`SN1,,${fakeHash('F', 'M', 'SN1')},,`)], 'one.csv'),
    ]);
    await waitFor(() => expect(screen.getByTestId('queue-good').textContent?.trim()).toBe('Queue 1 good device'));
  });

  it('files that are not CSV or XML are listed with the reason, never dropped silently', async () => {
    const fake = start({}, 'import');
    await chooseFiles(await screen.findByTestId('import-files'), [
      new File(['x'], 'photo.jpg'),
      new File([csv(`SN1,,${fakeHash('F', 'M', 'SN1')},,`)], 'a.csv'),
    ]);
    expect((await screen.findByTestId('import-not-read')).textContent).toContain(
      'photo.jpg: not a hash file, so it was not read. The station reads .csv, .xml files.',
    );
    const read = fake.calls.find((c) => c.name === 'readFileContents')!.input as { files: { name: string }[] };
    expect(read.files.map((f) => f.name)).toEqual(['a.csv']);
  });

  it('Remove says removed; an empty queue says it is empty', async () => {
    start({}, 'queue', 3);
    await screen.findAllByTestId('queue-row');
    await fireEvent.click(screen.getByRole('button', { name: 'Select all shown' }));
    await fireEvent.click(screen.getByTestId('bulk-remove'));
    expect(
      screen.getByText('Remove 3 devices from the queue? Devices already registered stay in Intune.'),
    ).toBeTruthy();
    // Which ones, by serial: a selection can hold devices out of view.
    const serials = screen
      .getAllByTestId('queue-row')
      .map((r) => within(r).getAllByRole('gridcell')[1]!.textContent!.trim());
    expect(screen.getByTestId('remove-which').textContent).toBe(serials.join(', '));
    await fireEvent.click(screen.getByTestId('confirm-remove'));
    expect(await within(screen.getByTestId('toasts')).findByText('3 devices removed from the queue.')).toBeTruthy();
    expect((await screen.findByTestId('queue-empty')).textContent).toBe(
      'The queue is empty. Capture a device or import files to start.',
    );
  });

  it('Remove says when selected devices are hidden by the search', async () => {
    start({}, 'queue', 3);
    const rows = await screen.findAllByTestId('queue-row');
    const first = within(rows[0]!).getAllByRole('gridcell')[1]!.textContent!.trim();
    await fireEvent.click(screen.getByRole('button', { name: 'Select all shown' }));
    await fireEvent.input(screen.getByLabelText('Search by serial'), { target: { value: first } });
    await waitFor(() => expect(screen.getAllByTestId('queue-row')).toHaveLength(1));
    await fireEvent.click(screen.getByTestId('bulk-remove'));
    expect(screen.getByTestId('remove-which').textContent).toMatch(
      /\(2 of them not shown by the current search or filter\)$/,
    );
  });

  it('Export Intune CSV with nothing selected says how many it left out and why', async () => {
    start({}, 'queue', 40);
    await screen.findAllByTestId('queue-row');
    globalThis.URL.createObjectURL ??= () => 'blob:x';
    globalThis.URL.revokeObjectURL ??= () => undefined;
    await fireEvent.click(screen.getByTestId('export-intune'));
    const toast = await within(screen.getByTestId('toasts')).findByText(/autopilot-devices\.csv saved/);
    expect(toast.textContent).toMatch(
      /Left out: \d+ already registered, \d+ owned by another tenant, \d+ invalid, \d+ being imported\./,
    );
    // The answer under the buttons follows a change of language.
    i18n.setLocale('ja');
    try {
      await waitFor(() =>
        expect(screen.getByTestId('action-answer').textContent).toMatch(/autopilot-devices\.csv.*[\u3040-\u30ff]/),
      );
      // …and so does its toast.
      expect(within(screen.getByTestId('toasts')).getByText(/autopilot-devices\.csv.*[\u3040-\u30ff]/)).toBeTruthy();
    } finally {
      i18n.setLocale('en');
    }
  });

  it('a reload returns to the screen the technician was on', async () => {
    start();
    await fireEvent.keyDown(document.body, { key: '3', altKey: true });
    await screen.findByTestId('screen-queue');
    cleanup();
    start();
    expect(await screen.findByTestId('screen-queue')).toBeTruthy();
  });

  it('toasts stack in a corner with a count and can all be dismissed', async () => {
    const fake = start();
    await screen.findByTestId('screen-capture');
    for (let i = 0; i < 3; i++)
      fake.emit('attention', {
        kind: 'device-needs-attention',
        deviceIds: [`dev-${i}`],
        message: 'x',
        serialNumber: `PF${i}`,
        errorName: 'StorageError',
      });
    expect((await screen.findByTestId('toast-count')).textContent).toBe('3 messages');
    expect(screen.getByTestId('toasts').querySelectorAll('.toast')).toHaveLength(1);
    await fireEvent.click(screen.getByTestId('toast-expand'));
    expect(screen.getByTestId('toasts').querySelectorAll('.toast')).toHaveLength(3);
    await fireEvent.click(screen.getByTestId('toast-dismiss-all'));
    expect(screen.getByTestId('toasts').querySelectorAll('.toast')).toHaveLength(0);
    // Collapsed, the message that needs the technician stays in front of a later "batch finished".
    fake.emit('attention', {
      kind: 'device-needs-attention',
      deviceIds: ['dev-1'],
      message: 'x',
      serialNumber: 'PF808',
      errorCode: 808,
    });
    fake.emit('attention', { kind: 'batch-finished', deviceIds: [], message: '', count: 5 });
    await waitFor(() => expect(screen.getByTestId('toast-count').textContent).toBe('2 messages'));
    expect(screen.getByTestId('toasts').querySelector('.toast')!.textContent).toContain('PF808');
  });

  it('training wording never says "sent to Intune"', async () => {
    const fake = start();
    await screen.findByTestId('screen-capture');
    fake.emit('attention', { kind: 'batch-finished', deviceIds: [], message: '', count: 1 });
    const toast = await within(screen.getByTestId('toasts')).findByRole('status');
    expect(toast.textContent).toContain('Batch finished: 1 device processed.');
    for (const text of Object.values((await import('../../src-renderer/lib/i18n/en.ts')).en))
      expect(text).not.toMatch(/sent to Intune/i);
  });
});

describe('errors next to what they are about', () => {
  it('a hash file the station cannot read answers under the hash file, not under the Queue button', async () => {
    start({ info: { host: 'electron' } });
    await fireEvent.input(await screen.findByTestId('hash-path'), { target: { value: 'C:\\nowhere\\OA3.xml' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Read file' }));
    const error = await screen.findByTestId('capture-error');
    expect(error.textContent).toBe(wordCode('FILE_NOT_FOUND'));
    expect(error.closest('fieldset')).toBe(screen.getByTestId('hash-path').closest('fieldset'));
  });
});

describe('colours mean one thing', () => {
  it('806 is done, not an "Error"; 808 is a hard stop drawn apart from a retryable failure', async () => {
    const fake = start({}, 'queue', 200);
    await screen.findAllByTestId('queue-row');
    // What failed is listed first: the 806 row is found by its serial.
    const serial806 = [...fake.devices.values()].find((d) => d.row.errorCode === 806)!.row.serialNumber;
    await fireEvent.input(screen.getByTestId('queue-search'), { target: { value: serial806 } });
    await waitFor(() =>
      expect(screen.getAllByTestId('error-advice').some((a) => a.textContent?.includes('806'))).toBe(true),
    );
    const done = screen.getAllByTestId('error-advice').find((a) => a.textContent?.includes('806'))!;
    expect(done.getAttribute('data-kind')).toBe('done');
    expect(done.querySelector('.code')!.textContent).not.toMatch(/Error/);
    await fireEvent.input(screen.getByTestId('queue-search'), { target: { value: '' } });
    await fireEvent.change(screen.getByTestId('queue-filter'), { target: { value: 'failed' } });
    await waitFor(() =>
      expect(screen.getAllByTestId('error-advice').some((a) => a.textContent?.includes('808'))).toBe(true),
    );
    const advices = screen.getAllByTestId('error-advice');
    const stop = advices.find((a) => a.textContent?.includes('808'))!;
    expect(stop.getAttribute('data-kind')).toBe('stop');
    const retry = advices.find((a) => a.textContent?.includes('899'))!;
    expect(retry.getAttribute('data-kind')).toBe('retry');
    // The state badge of the hard stop is marked, the retryable one is not.
    const rowOf = (el: Element) => el.closest('[data-testid="queue-row"]')!;
    expect(rowOf(stop).querySelector('.state')!.classList.contains('stop')).toBe(true);
    expect(rowOf(retry).querySelector('.state')!.classList.contains('stop')).toBe(false);
  });
});
