import { describe, expect, it, beforeEach } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import App from '../../src-renderer/App.svelte';
import { ApiError } from '../../src-renderer/lib/api.ts';
import { i18n } from '../../src-renderer/lib/i18n/i18n.svelte.ts';
import { FakeStationApi, type FakeOptions } from './fakeStationApi.ts';
import { seedQueue } from './seedQueue.ts';
import { failedFirst } from '../../src-renderer/lib/stores/queue.svelte.ts';
import { fakeHash } from './fakeHash.ts';
import { readHashFileBytes } from '../../src-main/capture/readHashFile.ts';
import { encodeHardwareHash } from '../../src-main/capture/encodeHardwareHash.ts';

const NOW = Date.parse('2026-11-23T10:00:00Z');
type Screen = 'capture' | 'import' | 'queue' | 'settings';

function start(options: FakeOptions = {}, initialScreen: Screen = 'capture') {
  const fake = new FakeStationApi({ now: () => NOW, devices: seedQueue(40, NOW), ...options });
  render(App, { props: { api: fake.api, initialScreen } });
  return fake;
}

const csv = (...rows: string[]) =>
  ['Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User', ...rows].join('\r\n');

async function chooseFiles(input: HTMLElement, files: File[]) {
  Object.defineProperty(input, 'files', { value: files, configurable: true });
  await fireEvent.change(input);
}

/**
 * A keydown stamped `at` (its event.timeStamp, which the scanner detector reads), so a loaded machine cannot stretch a
 * burst.
 */
async function keyAt(target: Element, init: KeyboardEventInit & { keyCode?: number }, at: number) {
  const ev = new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init });
  Object.defineProperty(ev, 'timeStamp', { value: at });
  if (init.keyCode !== undefined) Object.defineProperty(ev, 'keyCode', { value: init.keyCode });
  await fireEvent(target, ev);
}

/** A scanner: every key of the label 5 ms apart, then Enter. */
async function scan(text: string, target: Element = document.body) {
  const t0 = performance.now();
  for (const [i, key] of [...text, 'Enter'].entries()) await keyAt(target, { key }, t0 + 5 * i);
}

beforeEach(() => {
  localStorage.clear();
  sessionStorage.clear();
  i18n.setLocale('en');
});

describe('App', () => {
  it('shows the station, the training banner and the queue counts in the header', async () => {
    start();
    expect(await screen.findByTestId('info-version')).toHaveProperty('textContent', '0.1.0');
    expect(screen.getByTestId('training-banner').textContent).toContain('Training mode');
    await waitFor(() =>
      expect(
        Number(screen.getByTestId('count-ready').textContent) +
          Number(screen.getByTestId('count-waiting').textContent) +
          Number(screen.getByTestId('count-failed').textContent),
      ).toBe(40),
    );
  });

  it('switches to Japanese at run time, everywhere', async () => {
    start({}, 'queue');
    await screen.findAllByTestId('queue-row');
    await fireEvent.change(screen.getByTestId('language'), { target: { value: 'ja' } });
    expect(screen.getByTestId('info-mode').textContent).toBe('トレーニング');
    expect(screen.getByTestId('tab-queue').textContent).toContain('キュー');
    expect(screen.getByTestId('queue-shown').textContent).toBe('40 台中 40 台を表示');
    expect(screen.getByTestId('header-counts').textContent).toContain('展開可能');
    expect(document.documentElement.lang).toBe('ja');
  });

  it('shows a station error in words', async () => {
    const fake = new FakeStationApi();
    fake.call_getInfo = () => {
      throw new ApiError({ code: 'STATION_UNREACHABLE', message: 'The station is not answering.' });
    };
    render(App, { props: { api: fake.api } });
    expect((await screen.findByRole('alert')).textContent).toContain(
      'The station is not answering. Check that it is still running, then reload this page.',
    );
  });

  it('Alt+1..4 switch screens; F1 lists the shortcuts; Esc closes', async () => {
    start();
    await screen.findByTestId('screen-capture');
    await fireEvent.keyDown(document.body, { key: '3', altKey: true });
    expect(screen.getByTestId('screen-queue')).toBeTruthy();
    await fireEvent.keyDown(document.body, { key: '4', altKey: true });
    expect(screen.getByTestId('screen-settings')).toBeTruthy();
    await fireEvent.keyDown(document.body, { key: 'F1' });
    expect(screen.getByTestId('shortcuts').textContent).toContain('Ctrl+Enter');
    await fireEvent.keyDown(document.body, { key: 'Escape' });
    expect(screen.queryByTestId('shortcuts')).toBeNull();
  });

  it('capture of a file with several devices says the others are not taken and where to take them all', async () => {
    start();
    await chooseFiles(await screen.findByTestId('hash-file'), [
      new File(
        [
          csv(
            `PF4XK2QZ,,${fakeHash('Contoso', 'Surface Laptop 6', 'PF4XK2QZ')},,`,
            `PF4XK2QY,,${fakeHash('Contoso', 'Surface Laptop 6', 'PF4XK2QY')},,`,
            `PF4XK2QX,,${fakeHash('Contoso', 'Surface Laptop 6', 'PF4XK2QX')},,`,
          ),
        ],
        'three.csv',
      ),
    ]);
    await waitFor(() =>
      expect(screen.getByTestId('capture-more-in-file').textContent).toBe(
        'This file holds 2 more devices. Capture shows the first one only: use Import files to queue every device of the file.',
      ),
    );
    await chooseFiles(screen.getByTestId('hash-file'), [
      new File([csv(`PF4XK2QZ,,${fakeHash('Contoso', 'Surface Laptop 6', 'PF4XK2QZ')},,`)], 'one.csv'),
    ]);
    await waitFor(() => expect(screen.queryByTestId('capture-more-in-file')).toBeNull());
  });

  it("a refused file takes the previous file's device with it: nothing is left to queue under the typed serial", async () => {
    const fake = start();
    const good = () =>
      new File([csv(`PF4XK2QZ,,${fakeHash('Contoso', 'Surface Laptop 6', 'PF4XK2QZ')},,`)], 'PF4XK2QZ.csv');
    for (const [refused, said] of [
      [new File(['not a hash file'], 'notes.txt'), 'notes.txt: not a hash file'],
      [new File([csv('PF4XK2QY,broken')], 'broken.csv'), 'Line 2:'],
    ] as const) {
      await chooseFiles(await screen.findByTestId('hash-file'), [good()]);
      await waitFor(() => expect(screen.getByTestId('decoded-model').textContent).toBe('Surface Laptop 6'));
      await waitFor(() => expect(screen.getByTestId('queue-device')).toHaveProperty('disabled', false));
      await chooseFiles(screen.getByTestId('hash-file'), [refused]);
      await waitFor(() => expect(screen.getAllByRole('alert').length).toBeGreaterThan(0));
      await waitFor(() => expect(screen.getByTestId('queue-device')).toHaveProperty('disabled', true));
      expect(screen.queryByTestId('decoded-model')).toBeNull();
      expect(
        screen
          .getAllByRole('alert')
          .map((a) => a.textContent)
          .join(' '),
      ).toContain(said);
    }
    expect(fake.calls.some((c) => c.name === 'queueDevices')).toBe(false);
  });

  it('captures: read this device, choose the hash file, see model and findings, Ctrl+Enter queues with the group tag', async () => {
    const fake = start();
    await fireEvent.click(await screen.findByTestId('read-this-device'));
    await waitFor(() => expect((screen.getByTestId('serial-input') as HTMLInputElement).value).toBe('PF4XK2QZ'));
    await chooseFiles(screen.getByTestId('hash-file'), [
      new File([csv(`PF4XK2QZ,,${fakeHash('Contoso', 'Surface Laptop 6', 'PF4XK2QZ')},,`)], 'PF4XK2QZ.csv'),
    ]);
    await waitFor(() => expect(screen.getByTestId('decoded-model').textContent).toBe('Surface Laptop 6'));
    expect(screen.getByTestId('decoded-manufacturer').textContent).toBe('Contoso');
    expect(screen.getByTestId('no-findings')).toBeTruthy();
    await fireEvent.input(screen.getByTestId('group-tag-input'), { target: { value: 'Sales-Tokyo' } });
    await fireEvent.keyDown(screen.getByTestId('group-tag-input'), { key: 'Enter', ctrlKey: true });
    await waitFor(() =>
      expect(screen.getByTestId('capture-result').querySelector('p')?.textContent?.trim()).toBe(
        'PF4XK2QZ is in the queue.',
      ),
    );
    expect(screen.getByTestId('capture-result').getAttribute('data-kind')).toBe('queued');
    const call = fake.calls.find((c) => c.name === 'queueDevices')!.input as {
      devices: { serialNumber: string }[];
      groupTag: string;
    };
    expect(call.groupTag).toBe('Sales-Tokyo');
    expect(call.devices[0]!.serialNumber).toBe('PF4XK2QZ');
    expect([...fake.devices.values()].some((d) => d.row.serialNumber === 'PF4XK2QZ' && d.row.state === 'queued')).toBe(
      true,
    );
  });

  it('in the desktop app, reads a hash file by path and remembers its folder; a placeholder serial asks for a scan', async () => {
    const fake = start({
      info: { host: 'electron' },
      thisDevice: { serial: { problem: 'placeholder', raw: 'To be filled by O.E.M.' }, needsSerial: true },
      files: {
        'C:\\Hashes\\OA3.xml': `<Key><HardwareHash>${fakeHash('Contoso', 'Surface Pro 10', 'SP10X')}</HardwareHash></Key>`,
      },
    });
    await fireEvent.click(await screen.findByTestId('read-this-device'));
    await screen.findByText('This machine does not report a usable serial number. Scan the label or type it.');
    expect(
      screen.getByText('The firmware reports "To be filled by O.E.M.", which is not a real serial number.'),
    ).toBeTruthy();
    // Once a serial is typed (or scanned), the need is met: the warning goes.
    const serialField = screen.getByTestId('serial-input');
    await fireEvent.input(serialField, { target: { value: 'SP10X' } });
    await waitFor(() =>
      expect(
        screen.queryByText('This machine does not report a usable serial number. Scan the label or type it.'),
      ).toBeNull(),
    );
    await fireEvent.input(serialField, { target: { value: '' } });
    await screen.findByText('This machine does not report a usable serial number. Scan the label or type it.');
    await fireEvent.input(screen.getByTestId('hash-path'), { target: { value: 'C:\\Hashes\\OA3.xml' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Read file' }));
    await waitFor(() => expect(screen.getByTestId('decoded-model').textContent).toBe('Surface Pro 10'));
    expect(fake.calls.at(-1)).toEqual({ name: 'captureThisDevice', input: { hashFilePath: 'C:\\Hashes\\OA3.xml' } });
    expect(screen.getByText('Last folder used: C:\\Hashes')).toBeTruthy();
    expect(localStorage.getItem('station.capture.lastFolder')).toBe('C:\\Hashes');
  });

  it('a scanned serial reaches the serial field from anywhere, and a mismatch with the hash is shown in plain words', async () => {
    start({}, 'queue');
    await screen.findAllByTestId('queue-row');
    await fireEvent.keyDown(document.body, { key: '1', altKey: true });
    await chooseFiles(await screen.findByTestId('hash-file'), [
      new File([csv(`PF4XK2QZ,,${fakeHash('Contoso', 'Surface Laptop 6', 'PF4XK2QZ')},,`)], 'a.csv'),
    ]);
    await screen.findByTestId('decoded-model');
    await fireEvent.keyDown(document.body, { key: '3', altKey: true });
    await scan('SN-77731');
    expect(await screen.findByTestId('screen-capture')).toBeTruthy();
    await waitFor(() => expect((screen.getByTestId('serial-input') as HTMLInputElement).value).toBe('SN-77731'));
    const finding = await screen.findByText(
      'The serial in the hash (PF4XK2QZ) differs from the serial number of the device (SN-77731). Check that the hash belongs to this device.',
    );
    expect(finding.closest('[data-code]')?.getAttribute('data-code')).toBe('SERIAL_MISMATCH');
    expect((screen.getByTestId('queue-device') as HTMLButtonElement).disabled).toBe(false);
  });

  it('a scan goes to the field that has focus, whole: a tag into the group tag, a UPN into Assigned user', async () => {
    start();
    const tag = (await screen.findByTestId('group-tag-input')) as HTMLInputElement;
    // The browser types the burst into the focused field; the station leaves it there.
    await fireEvent.input(tag, { target: { value: 'BENCH-07' } });
    await scan('BENCH-07', tag);
    const user = document.getElementById('assigned-user') as HTMLInputElement;
    await fireEvent.input(user, { target: { value: 'tm.sato@contoso.com' } });
    await scan('tm.sato@contoso.com', user);
    await new Promise((r) => setTimeout(r, 150));
    expect(tag.value).toBe('BENCH-07');
    expect(user.value).toBe('tm.sato@contoso.com');
    expect((screen.getByTestId('serial-input') as HTMLInputElement).value).toBe('');
    expect(screen.getByTestId('screen-capture')).toBeTruthy();
  });

  it('a scan into the serial makes it the serial and puts focus on "Choose a file…" (one key to the hash file)', async () => {
    start();
    const serial = (await screen.findByTestId('serial-input')) as HTMLInputElement;
    serial.focus();
    await fireEvent.input(serial, { target: { value: 'PF9SCAN1' } });
    await scan('PF9SCAN1', serial);
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('hash-file')));
    expect(serial.value).toBe('PF9SCAN1');
  });

  it('with a Japanese IME on, the field gets the label the scanner sent, not the kana the IME made of it', async () => {
    start();
    const user = (await screen.findByLabelText('Assigned user (optional)')) as HTMLInputElement;
    const code = (ch: string) => (ch === '@' ? 'Digit2' : ch === '.' ? 'Period' : `Key${ch.toUpperCase()}`);
    // Each key reaches the page as 'Process' first; then the IME puts its full-width text in the field.
    const composed = 'ｔｍ＠ｃｏｎｔｏｓｏ．ｃｏｍ';
    const t0 = performance.now();
    for (const [i, ch] of [...'tm@contoso.com'].entries()) {
      await keyAt(
        user,
        { key: 'Process', keyCode: 229, code: code(ch), shiftKey: ch === '@', isComposing: true },
        t0 + 10 * i,
      );
      await fireEvent.input(user, { target: { value: composed.slice(0, i + 1) } });
    }
    expect(user.value).toBe(composed);
    await keyAt(user, { key: 'Process', keyCode: 229, code: 'Tab', isComposing: true }, t0 + 140);
    expect(user.value).toBe('tm@contoso.com');
  });

  it('a serial typed but not confirmed is kept when a hash file is read, and the mismatch is shown', async () => {
    start();
    const serial = (await screen.findByTestId('serial-input')) as HTMLInputElement;
    await fireEvent.input(serial, { target: { value: 'SN-TYPED1' } });
    await chooseFiles(screen.getByTestId('hash-file'), [
      new File([csv(`PF4XK2QZ,,${fakeHash('Contoso', 'Surface Laptop 6', 'PF4XK2QZ')},,`)], 'a.csv'),
    ]);
    await screen.findByTestId('decoded-model');
    await waitFor(() => expect(document.querySelector('[data-code="SERIAL_MISMATCH"]')).toBeTruthy());
    expect(serial.value).toBe('SN-TYPED1');
    expect(screen.queryByText('No problems found.')).toBeNull();
  });

  it('slow typing is not a scan', async () => {
    start();
    await screen.findByTestId('screen-capture');
    for (const key of ['A', 'B', 'C', 'D', 'E']) {
      await fireEvent.keyDown(document.body, { key });
      await new Promise((r) => setTimeout(r, 60));
    }
    await fireEvent.keyDown(document.body, { key: 'Enter' });
    expect((screen.getByTestId('serial-input') as HTMLInputElement).value).toBe('');
  });

  it('group tags: tenant and recent tags offered, CSV-unsafe tags refused, session default kept', async () => {
    start({ groupTags: { tenant: ['Kiosk', 'Engineering'], recent: ['HR-Osaka'] } });
    const input = (await screen.findByTestId('group-tag-input')) as HTMLInputElement;
    await waitFor(() => expect(document.querySelectorAll('#capture-group-tag-list option')).toHaveLength(3));
    await fireEvent.input(input, { target: { value: 'Tokyo,Osaka' } });
    // The rule that failed, not the list of rules.
    expect(screen.getByTestId('group-tag-hint').textContent).toBe("A group tag cannot contain a comma ','.");
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect((screen.getByTestId('group-tag-default') as HTMLButtonElement).disabled).toBe(true);
    // What Intune takes: a Japanese tag is fine.
    await fireEvent.input(input, { target: { value: '東京本社' } });
    expect(input.getAttribute('aria-invalid')).toBe('false');
    await fireEvent.input(input, { target: { value: '=HYPERLINK()' } });
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId('group-tag-hint').textContent).toMatch(/cannot start with = \+ - or @/);
    await fireEvent.click(screen.getByRole('button', { name: 'Kiosk' }));
    expect(input.value).toBe('Kiosk');
    await fireEvent.click(screen.getByTestId('group-tag-default'));
    expect(screen.getByTestId('group-tag-session').textContent).toBe('Session default: Kiosk');
    expect(sessionStorage.getItem('station.groupTag.session')).toBe('Kiosk');
  });

  it('imports many files: bad rows with their line and reason, good rows queued', async () => {
    const fake = start({}, 'import');
    const good = (s: string) => `${s},,${fakeHash('Fabrikam', 'EliteBook', s)},,`;
    await chooseFiles(await screen.findByTestId('import-files'), [
      new File([csv(good('SN1'), good('SN2'), 'SN3,broken')], 'one.csv'),
      new File([csv(good('SN4'), `SN5,,${fakeHash('Fabrikam', 'EliteBook', 'OTHER')},,`)], 'two.csv'),
    ]);
    const bad = await screen.findByTestId('bad-rows');
    const rows = within(bad)
      .getAllByRole('row')
      .slice(1)
      .map((r) => r.textContent);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('one.csv');
    expect(rows[0]).toContain('Line 4');
    expect(rows[1]).toContain('Line 3');
    expect(rows[1]).toContain('The serial in the hash (OTHER) differs from the serial number of the device (SN5)');
    await fireEvent.click(screen.getByTestId('queue-good'));
    // Everything captured is a record: the invalid device and the refused row are kept too.
    await waitFor(() =>
      expect(screen.getByTestId('import-result').textContent?.replace(/\s+/g, ' ').trim()).toBe(
        '5 devices sent to the queue: 3 queued, 0 already in the queue, 1 kept as invalid. Refused rows kept in the queue as invalid: 1.',
      ),
    );
    const call = fake.calls.find((c) => c.name === 'queueDevices')!.input as {
      devices: { serialNumber: string }[];
      refused: { code: string; source: { path: string; line: number } }[];
    };
    expect(call.devices.map((d) => d.serialNumber)).toEqual(['SN1', 'SN2', 'SN4', 'SN5']);
    expect(call.refused).toEqual([
      expect.objectContaining({
        code: 'CSV_WRONG_COLUMNS',
        source: expect.objectContaining({ path: 'one.csv', line: 4 }),
      }),
    ]);
    expect(screen.getByTestId('bad-rows')).toBeTruthy();
    // Per-file results stay, marked as queued; nothing is offered twice.
    expect(screen.getByTestId('import-files-table').textContent).toContain(
      '2 good, 1 bad · 2 devices sent to the queue',
    );
    expect(screen.getByTestId('import-files-table').textContent).toContain(
      '1 good, 1 bad · 2 devices sent to the queue',
    );
    // Everything read was sent: no "Queue 0 good devices" button left behind; Clear stays to start again.
    expect(screen.queryByTestId('queue-good')).toBeNull();
  });

  it("lists a file's bad rows in line order, refused rows and invalid devices mixed", async () => {
    start({}, 'import');
    const wrongSerial = (s: string) => `${s},,${fakeHash('Fabrikam', 'EliteBook', 'OTHER')},,`;
    await chooseFiles(await screen.findByTestId('import-files'), [
      new File([csv(wrongSerial('SN6'), 'SN7,broken', wrongSerial('SN8'))], 'three.csv'),
    ]);
    const bad = await screen.findByTestId('bad-rows');
    const lines = within(bad)
      .getAllByRole('row')
      .slice(1)
      .map((r) => /Line (\d+)/.exec(r.textContent ?? '')?.[1]);
    expect(lines).toEqual(['2', '3', '4']);
  });

  it('a device in two files (its OA3.xml and a CSV row) is counted and sent once, and says where it was read first', async () => {
    const fake = start({}, 'import');
    const hash1 = fakeHash('Litware', 'T14', 'SN1');
    await chooseFiles(await screen.findByTestId('import-files'), [
      new File([csv(`SN1,,${hash1},,`, `SN2,,${fakeHash('Litware', 'T14', 'SN2')},,`)], 'a.csv'),
      new File([`<Key><HardwareHash>${hash1}</HardwareHash></Key>`], 'OA3.XML'),
    ]);
    await waitFor(() => expect(screen.getByTestId('queue-good').textContent?.trim()).toBe('Queue 2 good devices'));
    expect(screen.getByTestId('also-in-row').textContent).toContain('The same device as in a.csv (line 2): sent once.');
    await fireEvent.click(screen.getByTestId('queue-good'));
    await waitFor(() =>
      expect(screen.getByTestId('import-result').textContent?.replace(/\s+/g, ' ').trim()).toMatch(
        /^2 devices sent to the queue: 2 queued, 0 already in the queue/,
      ),
    );
    const call = fake.calls.find((c) => c.name === 'queueDevices')!.input as { devices: { serialNumber: string }[] };
    expect(call.devices.map((d) => d.serialNumber)).toEqual(['SN1', 'SN2']);
  });

  it('a row refused for its group tag and its user names its serial, both problems and what to fix, once', async () => {
    const fake = start({}, 'import');
    // main's own reader judges the row (the fake's parser does not own the tag and user rules).
    fake.call_readFileContents = (input) =>
      input.files.map((f) =>
        readHashFileBytes(
          Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0)),
          f.name,
        ),
      );
    const hash = encodeHardwareHash({ serialNumber: 'SN9', manufacturer: 'Litware', model: 'T14' });
    await chooseFiles(await screen.findByTestId('import-files'), [
      new File([csv(`SN9,,${hash},=HQ,ann smith@contoso.com`)], 'tags.csv'),
    ]);
    const bad = within(await screen.findByTestId('bad-rows'));
    expect(bad.getByText('SN9')).toBeTruthy();
    const words = bad.getAllByRole('row')[1]!.textContent!;
    for (const part of [
      'A group tag cannot start with = + - or @',
      'A user name cannot contain a space.',
      "Fix this row's Group Tag in the file and read the file again.",
      "Fix this row's Assigned User in the file and read the file again.",
    ])
      expect(words).toContain(part);
    expect(screen.queryByTestId('file-reason')).toBeNull();
  });

  it('imports a folder: only its CSV and XML files are read', async () => {
    const fake = start({}, 'import');
    await chooseFiles(await screen.findByTestId('import-folder'), [
      new File([csv(`SN7,,${fakeHash('Litware', 'T14', 'SN7')},,`)], 'a.csv'),
      new File(['not a hash file'], 'notes.txt'),
      new File([`<Key><HardwareHash>${fakeHash('Litware', 'T14', 'SN8')}</HardwareHash></Key>`], 'OA3.XML'),
    ]);
    await screen.findByTestId('import-files-table');
    const read = fake.calls.find((c) => c.name === 'readFileContents')!.input as { files: { name: string }[] };
    expect(read.files.map((f) => f.name)).toEqual(['a.csv', 'OA3.XML']);
    expect(screen.getByTestId('queue-good').textContent).toContain('Queue 2 good devices');
  });

  it('opens a device: history with times and Graph request ids, hash fields, retry', async () => {
    const fake = start({}, 'queue');
    const grid = await screen.findByTestId('queue-table');
    grid.focus();
    // The queue shows what failed first (failed, invalid, timed-out), each part in queue order.
    const failedIndex = failedFirst([...fake.devices.values()].map((d) => d.row)).findIndex(
      (r) => r.state === 'failed',
    );
    for (let i = 0; i < failedIndex; i++) await fireEvent.keyDown(grid, { key: 'ArrowDown' });
    await fireEvent.keyDown(grid, { key: 'Enter' });
    const detail = await screen.findByTestId('device-detail');
    const events = await within(detail).findByTestId('detail-events');
    expect(events.textContent).toMatch(/[0-9a-f]{8}-55e2-4b6c-8a1f-/);
    expect(events.textContent).toContain('Nov 23, 2026');
    expect(within(detail).getByTestId('detail-hash').textContent).toContain('4,000');
    await fireEvent.click(within(detail).getByTestId('detail-retry'));
    await waitFor(() => expect(within(detail).getAllByText('Queued').length).toBeGreaterThan(0));
    await fireEvent.keyDown(document.body, { key: 'Escape' });
    expect(screen.queryByTestId('device-detail')).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId('queue-table'));
  });

  it('Register again on a device another tenant owns (808) asks first, and sends nothing until confirmed', async () => {
    const fake = start({}, 'queue');
    const grid = await screen.findByTestId('queue-table');
    grid.focus();
    const index = failedFirst([...fake.devices.values()].map((d) => d.row)).findIndex((r) => r.errorCode === 808);
    expect(index).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < index; i++) await fireEvent.keyDown(grid, { key: 'ArrowDown' });
    await fireEvent.keyDown(grid, { key: 'Enter' });
    const detail = await screen.findByTestId('device-detail');
    await fireEvent.click(await within(detail).findByTestId('detail-reregister'));
    expect(within(detail).getByTestId('reregister-confirm').textContent).toContain('registered to another tenant');
    expect(fake.calls.filter((c) => c.name === 'deviceAction')).toEqual([]);
    await fireEvent.click(within(detail).getByTestId('confirm-reregister'));
    await waitFor(() =>
      expect(
        fake.calls.filter((c) => c.name === 'deviceAction').map((c) => (c.input as { action: string }).action),
      ).toEqual(['reregister']),
    );
    expect(within(detail).queryByTestId('reregister-confirm')).toBeNull();
  });

  it("Remove in the device panel asks first, as the queue's Remove does", async () => {
    const fake = start({}, 'queue');
    const grid = await screen.findByTestId('queue-table');
    grid.focus();
    await fireEvent.keyDown(grid, { key: 'Enter' });
    const detail = await screen.findByTestId('device-detail');
    await fireEvent.click(await within(detail).findByTestId('detail-remove'));
    expect(within(detail).getByTestId('detail-remove-confirm').textContent).toContain(
      'Remove 1 device from the queue?',
    );
    expect(fake.calls.filter((c) => c.name === 'deviceAction')).toEqual([]);
    await fireEvent.click(within(detail).getByTestId('detail-confirm-remove'));
    await waitFor(() =>
      expect(
        fake.calls.filter((c) => c.name === 'deviceAction').map((c) => (c.input as { action: string }).action),
      ).toEqual(['remove']),
    );
  });

  it("switching tenants drops the previous tenant's toasts and the files read for it", async () => {
    const fake = start({}, 'import');
    await chooseFiles(await screen.findByTestId('import-files'), [
      new File([csv(`SN1,,${fakeHash('Fabrikam', 'EliteBook', 'SN1')},,`)], 'one.csv'),
    ]);
    await screen.findByTestId('import-files-table');
    fake.emit('attention', {
      kind: 'device-needs-attention',
      deviceIds: ['x'],
      message: 'x',
      serialNumber: 'MXL9808TRN',
      errorCode: 808,
    });
    await within(screen.getByTestId('toasts')).findByText(/MXL9808TRN/);
    await waitFor(() => expect(fake.calls.some((c) => c.name === 'getSettings')).toBe(true));
    const settingsNow = fake.call_getSettings();
    fake.emit('settingsChanged', { ...settingsNow, tenantId: '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f' });
    await waitFor(() => expect(screen.queryByText(/MXL9808TRN/)).toBeNull());
    expect(screen.queryByTestId('import-files-table')).toBeNull();
  });

  it('device code sign-in shows the code large until sign-in completes', async () => {
    const fake = start(
      {
        info: { mode: 'tenant', tenant: { tenantId: 'contoso.onmicrosoft.com', cloud: 'global' } },
        auth: { state: 'signed-out' },
        settings: { authMode: 'device-code' },
      },
      'settings',
    );
    await fireEvent.click(await screen.findByTestId('sign-in'));
    expect((await screen.findByTestId('device-code')).textContent).toBe('HK7Q-M2XP');
    expect(screen.getByTestId('device-code-panel').textContent).toContain('https://microsoft.com/devicelogin');
    fake.completeSignIn('tech@contoso.com');
    await waitFor(() =>
      expect(screen.getByTestId('auth-state').textContent).toContain('Signed in as tech@contoso.com'),
    );
    expect(screen.queryByTestId('device-code')).toBeNull();
  });

  it('locked settings are read-only with a lock note; others save', async () => {
    const fake = start(
      { settings: { tenantId: 'contoso.onmicrosoft.com', locked: ['tenantId', 'cloud'] } },
      'settings',
    );
    const tenant = (await screen.findByLabelText('Tenant ID')) as HTMLInputElement;
    expect(tenant.readOnly).toBe(true);
    expect(screen.getByTestId('lock-tenantId').textContent).toContain('Locked by your administrator');
    expect((screen.getByLabelText('Cloud') as HTMLSelectElement).disabled).toBe(true);
    await fireEvent.input(screen.getByLabelText('Devices per import batch (1–500)'), { target: { value: '250' } });
    await fireEvent.submit(screen.getByTestId('settings-form'));
    await screen.findByText('Settings saved.');
    expect(fake.calls.find((c) => c.name === 'updateSettings')?.input).toEqual({ patch: { batchSize: 250 } });
  });

  it('attention events chime and toast even without notification permission', async () => {
    const fake = start();
    await screen.findByTestId('screen-capture');
    fake.emit('attention', {
      kind: 'device-needs-attention',
      deviceIds: ['dev-1'],
      message: 'PF1 808',
      serialNumber: 'PF1',
      errorCode: 808,
    });
    const toast = await within(screen.getByTestId('toasts')).findByRole('alert');
    expect(toast.textContent).toContain('PF1 needs attention: Registered to another tenant. Stop');
    // Worded from the event's facts, never from its English message.
    fake.emit('attention', {
      kind: 'device-needs-attention',
      deviceIds: ['dev-2'],
      message: 'Something only the log should say.',
    });
    await screen.findByTestId('toast-count');
    expect(screen.getByTestId('toasts').textContent).not.toContain('only the log');
  });

  it('theme toggle sets and clears the root theme', async () => {
    start();
    await fireEvent.change(await screen.findByTestId('theme'), { target: { value: 'dark' } });
    expect(document.documentElement.dataset.theme).toBe('dark');
    await fireEvent.change(screen.getByTestId('theme'), { target: { value: 'system' } });
    expect(document.documentElement.dataset.theme).toBeUndefined();
  });
});
