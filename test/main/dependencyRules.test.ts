import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkLayers, describeViolation } from '../../scripts/checkLayers.ts';

const repo = path.resolve(import.meta.dirname, '..', '..');

/**
 * The layer rules of .dependency-cruiser.cjs, run by dependency-cruiser over the real tree (a
 * violation fails npm test) and over a small tree with one planted violation per rule (so a rule that
 * silently stopped matching fails too).
 */
describe('layer rules (dependency-cruiser)', () => {
  it('the station keeps its layers', async () => {
    const violations = await checkLayers(repo);
    expect(violations.map(describeViolation)).toEqual([]);
  }, 60_000);

  const planted = fs.mkdtempSync(path.join(os.tmpdir(), 'station-layers-'));
  afterAll(() => fs.rmSync(planted, { recursive: true, force: true }));
  const file = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(planted, rel)), { recursive: true });
    fs.writeFileSync(path.join(planted, rel), text);
  };

  it('fails on a planted violation of every rule, and allows what the rules allow', async () => {
    fs.symlinkSync(path.join(repo, 'node_modules'), path.join(planted, 'node_modules'), 'dir');
    file(
      'tsconfig.json',
      JSON.stringify({
        compilerOptions: {
          module: 'esnext',
          moduleResolution: 'bundler',
          allowImportingTsExtensions: true,
          noEmit: true,
          verbatimModuleSyntax: true,
        },
      }),
    );
    // Targets the planted files point at.
    file('src-main/contract/contract.ts', "import { z } from 'zod';\nexport const calls = { a: z.string() };\n");
    file('src-main/contract/types.ts', 'export const DEVICE_STATES = [];\nexport interface Row { id: string }\n');
    file('src-main/queue/queueStore.ts', 'export const q = 1;\n');
    file('src-main/auth/authService.ts', 'export const a = 1;\n');
    file('src-main/capture/readHashFile.ts', 'export const c = 1;\n');
    file('src-main/app/createStation.ts', 'export const createStation = () => 1;\n');
    file('src-main/ipc/dispatch.ts', 'export const dispatch = 1;\n');
    file('src-main/kernel/clock.ts', 'export const clock = 1;\n');
    // One violation per rule.
    const plants: Record<string, string> = {
      'contract-imports-nothing': file2(
        'src-main/contract/planted.ts',
        "import { q } from '../queue/queueStore.ts';\nexport const x = q;\n",
      ),
      'kernel-imports-only-the-contract': file2(
        'src-main/kernel/planted.ts',
        "import { c } from '../capture/readHashFile.ts';\nexport const x = c;\n",
      ),
      'kernel-names-the-contract-as-types-only': file2(
        'src-main/kernel/plantedContract.ts',
        "import { calls } from '../contract/contract.ts';\nexport const x = calls;\n",
      ),
      'sim-never-imports-the-station': file2(
        'src-main/sim/planted.ts',
        "import { a } from '../auth/authService.ts';\nexport const x = a;\n",
      ),
      'electron-only-in-the-electron-shell': file2(
        'src-main/capture/planted.ts',
        "import { app } from 'electron';\nexport const x = app;\n",
      ),
      'sqlite-only-in-the-queue-store': file2(
        'src-main/graph/planted.ts',
        "import Database from 'better-sqlite3';\nexport const x = Database;\n",
      ),
      'systeminformation-only-in-its-serial-port': file2(
        'src-main/queue/plantedSi.ts',
        "import si from 'systeminformation';\nexport const x = si;\n",
      ),
      'http-servers-only-in-the-host-and-the-sim': file2(
        'src-main/queue/plantedServer.ts',
        "import http from 'node:http';\nexport const x = http;\n",
      ),
      'outbound-http-only-through-the-network-port': file2(
        'src-main/auth/planted.ts',
        "import { fetch } from 'undici';\nexport const x = fetch;\n",
      ),
      'renderer-imports-only-contract-types': file2(
        'src-renderer/lib/plantedMain.ts',
        "import type { q } from '../../src-main/queue/queueStore.ts';\nexport type X = typeof q;\n",
      ),
      'renderer-contract-without-zod': file2(
        'src-renderer/lib/plantedZod.ts',
        "import { calls } from '../../src-main/contract/contract.ts';\nexport const x = calls;\n",
      ),
      'services-do-not-reach-up-into-composition': file2(
        'src-main/tenant/planted.ts',
        "import { createStation } from '../app/createStation.ts';\nexport const x = createStation;\n",
      ),
      'services-do-not-import-transports': file2(
        'src-main/capture/plantedTransport.ts',
        "import { dispatch } from '../ipc/dispatch.ts';\nexport const x = dispatch;\n",
      ),
      'transports-reach-services-through-the-contract': file2(
        'src-main/host/planted.ts',
        "import { q } from '../queue/queueStore.ts';\nexport const x = q;\n",
      ),
      'no-runtime-cycles': file2(
        'src-main/graph/cycleA.ts',
        "import { b } from './cycleB.ts';\nexport const a = () => b;\n",
      ),
    };
    file('src-main/graph/cycleB.ts', "import { a } from './cycleA.ts';\nexport const b = () => a;\n");
    // Allowed: electron's types outside the shell, the contract's types and types.ts in the renderer,
    // a type-only cycle, the kernel importing the contract, entry points importing app/.
    file('src-main/window.ts', "import type { BrowserWindow } from 'electron';\nexport type W = BrowserWindow;\n");
    file(
      'src-renderer/lib/allowed.ts',
      "import type { calls } from '../../src-main/contract/contract.ts';\nimport { DEVICE_STATES } from '../../src-main/contract/types.ts';\nexport type C = typeof calls;\nexport const s = DEVICE_STATES;\n",
    );
    file('src-main/queue/typeCycleA.ts', "import type { B } from './typeCycleB.ts';\nexport interface A { b?: B }\n");
    file('src-main/queue/typeCycleB.ts', "import type { A } from './typeCycleA.ts';\nexport interface B { a?: A }\n");
    file('src-main/kernel/eventBus.ts', "import type { Row } from '../contract/types.ts';\nexport type E = Row;\n");
    file(
      'src-main/main.ts',
      "import { createStation } from './app/createStation.ts';\nimport { app } from 'electron';\nexport const x = [createStation, app];\n",
    );

    const violations = await checkLayers(planted);
    const byRule = new Map<string, string[]>();
    for (const v of violations) byRule.set(v.rule.name, [...(byRule.get(v.rule.name) ?? []), v.from]);
    for (const [rule, from] of Object.entries(plants))
      expect(byRule.get(rule), `${rule} caught ${from}`).toContain(from);
    // Nothing else: the allowed imports above pass, and each plant breaks only its own rule.
    const unexpected = violations.filter(
      (v) =>
        !(
          plants[v.rule.name] === v.from ||
          (v.rule.name === 'no-runtime-cycles' && v.from === 'src-main/graph/cycleB.ts')
        ),
    );
    expect(unexpected.map(describeViolation)).toEqual([]);
    const config = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as {
      forbidden: { name: string; comment: string }[];
    };
    // Every rule is planted here and says why it exists.
    expect(config.forbidden.map((r) => r.name).sort()).toEqual(Object.keys(plants).sort());
    for (const r of config.forbidden) expect(r.comment.length, r.name).toBeGreaterThan(20);

    function file2(rel: string, text: string): string {
      file(rel, text);
      return rel;
    }
  }, 60_000);
});
