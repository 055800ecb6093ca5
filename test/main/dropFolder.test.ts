import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src-main/kernel/eventBus.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { DropFolder } from '../../src-main/capture/dropFolder.ts';
import { DropFolderWatcher } from '../../src-main/capture/dropFolderWatcher.ts';
import { SeenFiles } from '../../src-main/capture/seenFiles.ts';
import type { FileReadResult } from '../../src-main/contract/types.ts';
import { devices, hashOf } from '../fixtures/capture/fixtureFiles.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'capture-drop-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
let drop: string;
let data: string;
beforeEach(() => {
  n++;
  drop = path.join(root, `drop${n}`);
  data = path.join(root, `data${n}`);
  mkdirSync(drop);
});

const csv = (...specs: (typeof devices)[keyof typeof devices][]) =>
  `Device Serial Number,Windows Product ID,Hardware Hash\r\n${specs.map((s) => `${s.serialNumber},,${hashOf(s)}`).join('\r\n')}\r\n`;
const make = (folder: () => string | undefined = () => drop) =>
  new DropFolder({
    folder,
    seen: new SeenFiles(path.join(data, 'drop-folder-seen.json'), silentLogger),
    logger: silentLogger,
  });
const serials = (results: FileReadResult[]) => results.flatMap((r) => r.devices.map((d) => d.serialNumber));
/** Everything about the folder that reading must leave alone. */
const snapshot = () =>
  readdirSync(drop)
    .sort()
    .map((name) => {
      const p = path.join(drop, name);
      const s = statSync(p);
      return [name, s.size, s.mtimeMs, readFileSync(p).toString('base64')];
    });

describe('drop folder', () => {
  it('reads new files once, then changed files, never touching the folder', async () => {
    writeFileSync(path.join(drop, 'bench1.csv'), csv(devices.hp));
    writeFileSync(path.join(drop, 'OA3.xml'), `<Key><HardwareHash>${hashOf(devices.lenovo)}</HardwareHash></Key>`);
    writeFileSync(path.join(drop, '~$bench1.csv'), 'lock file of Excel');
    const before = snapshot();
    const folder = make();

    const first = await folder.readNew();
    expect(first.map((r) => path.basename(r.path))).toEqual(['OA3.xml', 'bench1.csv']);
    expect(serials(first)).toEqual(['PF3ABC12', '5CG1234XYZ']);
    expect(first.every((r) => r.devices.every((d) => d.source.kind === 'drop-folder'))).toBe(true);
    expect(await folder.readNew()).toEqual([]);

    // Same content under another name (a copy) is not new; rewritten content is.
    writeFileSync(path.join(drop, 'copy of bench1.csv'), csv(devices.hp));
    expect(await folder.readNew()).toEqual([]);
    writeFileSync(path.join(drop, 'bench1.csv'), csv(devices.hp, devices.dell));
    expect(serials(await folder.readNew())).toEqual(['5CG1234XYZ', 'JX0K2M3']);

    // Only our own writes changed the folder: reading modified, moved and deleted nothing.
    const after = snapshot();
    expect(after.filter(([name]) => name === 'OA3.xml' || name === '~$bench1.csv')).toEqual(
      before.filter(([name]) => name === 'OA3.xml' || name === '~$bench1.csv'),
    );
    expect(readdirSync(drop).sort()).toEqual(['OA3.xml', 'bench1.csv', 'copy of bench1.csv', '~$bench1.csv']);
  });

  it('remembers what it read across restarts, by content, in the data folder only', async () => {
    writeFileSync(path.join(drop, 'a.csv'), csv(devices.hp2));
    expect(serials(await make().readNew())).toEqual(['CND9876QRS']);
    const seen = JSON.parse(readFileSync(path.join(data, 'drop-folder-seen.json'), 'utf8'));
    expect(Object.keys(seen.files)).toHaveLength(1);
    expect(Object.keys(seen.files)[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(await make().readNew()).toEqual([]);
    expect(readdirSync(drop)).toEqual(['a.csv']);
  });

  it('reports unreadable files once and keeps reading the others', async () => {
    writeFileSync(path.join(drop, 'empty.csv'), '');
    writeFileSync(path.join(drop, 'good.csv'), csv(devices.asus));
    const folder = make();
    const results = await folder.readNew();
    expect(results.map((r) => [path.basename(r.path), r.errors.map((e) => e.code), r.devices.length])).toEqual([
      ['empty.csv', ['FILE_EMPTY'], 0],
      ['good.csv', [], 1],
    ]);
    expect(await folder.readNew()).toEqual([]);
  });

  it('reads a crowded folder over several looks, each file once', async () => {
    for (let i = 0; i < 250; i++)
      writeFileSync(path.join(drop, `f${String(i).padStart(3, '0')}.csv`), `${csv(devices.hp)}${' '.repeat(i)}`);
    const folder = make();
    const first = await folder.readNew();
    const second = await folder.readNew();
    expect(first).toHaveLength(200);
    expect(second).toHaveLength(50);
    expect(new Set([...first, ...second].map((r) => r.path)).size).toBe(250);
    expect(await folder.readNew()).toEqual([]);
  });

  it('starts over with a damaged memory file instead of failing', async () => {
    mkdirSync(data, { recursive: true });
    writeFileSync(path.join(data, 'drop-folder-seen.json'), '{not json');
    writeFileSync(path.join(drop, 'a.csv'), csv(devices.dell));
    expect(serials(await make().readNew())).toEqual(['JX0K2M3']);
  });

  it('says clearly when no folder is set or the folder is gone, and follows a changed setting', async () => {
    let setting: string | undefined;
    const folder = make(() => setting);
    await expect(folder.readNew()).rejects.toMatchObject({ code: 'DROP_FOLDER_NOT_SET' });
    setting = path.join(root, 'unplugged-usb');
    await expect(folder.readNew()).rejects.toMatchObject({ code: 'DROP_FOLDER_UNAVAILABLE' });
    writeFileSync(path.join(drop, 'a.csv'), csv(devices.surface));
    setting = drop;
    expect(serials(await folder.readNew())).toEqual(['0F1234567890AB']);
  });

  it('the watcher publishes dropFolderRead when files arrive, and waits until a file has settled', async () => {
    const bus = new EventBus();
    const events: FileReadResult[][] = [];
    bus.subscribe((name, payload) => {
      if (name === 'dropFolderRead') events.push(payload as FileReadResult[]);
    });
    const watcher = new DropFolderWatcher({
      dropFolder: make(),
      bus,
      logger: silentLogger,
      intervalMs: 20,
      settledMs: 60_000,
    });
    const file = path.join(drop, 'fresh.csv');
    writeFileSync(file, csv(devices.hp));
    await watcher.tick();
    expect(events).toEqual([]); // written just now: the OEM tool may still be writing
    const old = new Date(Date.now() - 120_000);
    utimesSync(file, old, old);
    watcher.start();
    try {
      for (let i = 0; i < 200 && events.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    } finally {
      watcher.stop();
    }
    expect(events).toHaveLength(1);
    expect(serials(events[0]!)).toEqual(['5CG1234XYZ']);
  });
});
