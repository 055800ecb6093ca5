import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scaledClock } from '../../src-main/kernel/clock.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { AuthService } from '../../src-main/auth/authService.ts';
import { EncryptedCachePlugin } from '../../src-main/auth/encryptedCachePlugin.ts';
import { KeyFileProtector } from '../../src-main/auth/keyFileProtector.ts';
import { CheckRecords } from '../../src-main/check/checkRecords.ts';
import { checkedAutopilot, ConnectionCheckService } from '../../src-main/check/connectionCheckService.ts';
import type { StationSettings } from '../../src-main/contract/types.ts';
import { customCloud } from '../../src-main/graph/clouds.ts';
import { openSqliteQueueStore } from '../../src-main/queue/sqliteQueueStore.ts';
import { deviceInput } from './queueFakes.ts';
import { bench, cleanupBenches } from './queueWorkerSupport.ts';

afterEach(() => cleanupBenches());

/** A real msal-node client for the unreachable tenant; the check stops at DNS before any sign-in. */
function signInThatIsNeverReached(settings: StationSettings): AuthService {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'check-auth-'));
  return new AuthService(
    {
      mode: 'certificate',
      clientId: settings.clientId!,
      tenantId: settings.tenantId!,
      cloud: customCloud('https://graph.bench-no-dns.invalid', 'https://login.bench-no-dns.invalid'),
    },
    {
      cache: new EncryptedCachePlugin(
        path.join(dir, 'c.bin'),
        new KeyFileProtector(path.join(dir, 'k'), silentLogger),
        silentLogger,
      ),
      logger: silentLogger,
      openBrowser: async () => {},
      onDeviceCode: () => {},
      loadCertificate: async () => {
        throw new Error('no certificate on this bench');
      },
    },
  );
}

/**
 * Rows waiting with no network read "This bench cannot resolve {host} ({reason})." The
 * failing step's params now travel with its code to the row (kept in SQLite) and to the toast.
 */
describe('a waiting row carries the params of its reason', () => {
  it('no DNS: the row and the attention name the host and the reason; they go when the reason goes', async () => {
    const b = bench();
    // A real connection check and a real DNS lookup: ".invalid" never resolves (RFC 6761).
    const unresolvable = customCloud('https://graph.bench-no-dns.invalid', 'https://login.bench-no-dns.invalid');
    const settings: StationSettings = {
      tenantId: '11111111-2222-3333-4444-555555555555',
      clientId: '66666666-7777-8888-9999-000000000000',
      cloud: 'global',
      apiVersion: 'v1.0',
      authMode: 'certificate',
      batchSize: 100,
      waitFor: 'registered',
      locked: [],
    };
    const checks = new ConnectionCheckService({
      target: async () => ({
        training: false,
        settings,
        cloud: unresolvable,
        auth: signInThatIsNeverReached(settings),
      }),
      records: CheckRecords.inDataDir(mkdtempSync(path.join(os.tmpdir(), 'check-records-'))),
      clock: scaledClock(20),
      logger: silentLogger,
    });
    const gated = checkedAutopilot(b.port, checks);
    b.port.readyToImport = () => gated.readyToImport!();

    const { queued } = b.queue.queueDevices([deviceInput('DNS1')], { groupTag: 'Bench' });
    await b.worker.tick();
    const row = b.queue.device(queued[0]!)!;
    expect(row).toMatchObject({
      state: 'queued',
      errorName: 'CHECK_DNS_FAILED',
      errorParams: { host: 'login.bench-no-dns.invalid', reason: expect.stringMatching(/^E[A-Z_]+$/) },
    });
    // The connection check's own bookkeeping is not a word of the reason.
    expect(row.errorParams).not.toHaveProperty('check');
    const page = b.queue.listQueue({ offset: 0, limit: 10 });
    expect(page.rows[0]!.errorParams).toEqual(row.errorParams);
    const attention = b.events.filter((e) => e.name === 'attention').at(-1)!.payload as {
      params?: Record<string, unknown>;
      errorName?: string;
    };
    expect(attention).toMatchObject({ errorName: 'CHECK_DNS_FAILED', params: { host: 'login.bench-no-dns.invalid' } });

    // Kept on disk: a restart still words the row whole.
    const reopened = openSqliteQueueStore(b.dir);
    expect(reopened.getDevice(queued[0]!)!.errorParams).toEqual(row.errorParams);
    reopened.close();

    // Another reason (or none) never keeps the old params.
    b.store.updateDevice(queued[0]!, { errorName: 'GRAPH_SIGN_IN_EXPIRED' });
    expect(b.queue.device(queued[0]!)!.errorParams).toBeUndefined();
    b.store.close();
  });

  it("an invalid capture and a refused row keep their finding's params on the row", () => {
    const b = bench();
    const mismatch = { ...deviceInput('PF1'), serialNumber: 'PF2' };
    const { invalid } = b.queue.queueDevices([mismatch]);
    expect(b.queue.device(invalid[0]!)).toMatchObject({
      state: 'invalid',
      errorName: 'SERIAL_MISMATCH',
      errorParams: { serial: 'PF2', hashSerial: 'PF1' },
    });
    const { refused } = b.queue.queueDevices([], {
      refused: [
        {
          source: { kind: 'file', path: 'tags.csv', line: 4 },
          code: 'CSV_GROUP_TAG_TOO_LONG',
          message: 'too long',
          params: { line: 4, length: 600, max: 512 },
        },
      ],
    });
    expect(b.queue.device(refused![0]!)).toMatchObject({
      errorName: 'CSV_GROUP_TAG_TOO_LONG',
      errorParams: { line: 4, length: 600, max: 512 },
    });
    b.store.close();
  });
});
