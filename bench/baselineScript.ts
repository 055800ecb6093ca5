import { Agent, fetch } from 'undici';
import { encodeHardwareHash } from '../src-main/capture/encodeHardwareHash.ts';
import { sampleMemory, sharedClock, type ChildConfig, type MemoryFigures } from './pipelineSupport.ts';

/**
 * Today's approach, as docs/domain.md#todays-tools describes Get-WindowsAutopilotInfo -Online and Import-AutopilotCSV,
 * written the way such a script is: plain HTTPS with a bearer token, no batching, no budget.
 *
 *   1. one POST per device to the importedWindowsAutopilotDeviceIdentities collection, one after
 *      the other (not the import action, no importId);
 *   2. every 30 s of service time, read every imported record by id (GET .../{id}); only `unknown`
 *      counts as still waiting;
 *   3. every 30 s, read the whole tenant's windowsAutopilotDeviceIdentities, page by page, until
 *      every device is listed (and, for `assigned`, its profile status starts with "assigned": the
 *      beta list, as -Assign needs);
 *   4. never deletes the imported records (Get-WindowsAutopilotInfo does not).
 *
 * On 429/503 it waits Retry-After (10 s without one) and sends the same request again, as the Graph
 * PowerShell SDK's retry handler does. That handler gives up after 3 retries and the script then
 * stops; here it keeps retrying so that the baseline finishes and its time can be compared (this
 * favours the baseline).
 */
export interface BaselineResult {
  role: 'baseline';
  devices: number;
  waitFor: string;
  startedAt: number;
  /** Service ms when the script saw every device uploaded, imported (complete or error), and done. */
  uploadedAt: number;
  importedAt: number;
  doneAt: number;
  realSeconds: number;
  states: { complete: number; error: number; done: number };
  /** What the script saw: 429s and 503s it waited out, status rounds and list rounds. */
  throttledSeen: number;
  statusRounds: number;
  listRounds: number;
  memory: MemoryFigures;
}

const POLL_MS = 30_000;
const NO_RETRY_AFTER_MS = 10_000;

export async function baselineScript(c: ChildConfig): Promise<BaselineResult> {
  const clock = sharedClock(c.timeScale, c.epochMs);
  const dispatcher = new Agent({ connect: { ca: c.sim.caCertPem } });
  const memory = sampleMemory();
  let throttledSeen = 0;

  /** One Graph call; waits out 429/503 on the scaled clock like the SDK's retry handler. */
  const call = async (
    method: 'GET' | 'POST',
    url: string,
    body?: unknown,
  ): Promise<{ status: number; json: Record<string, unknown> | undefined }> => {
    for (;;) {
      const res = await fetch(url, {
        method,
        dispatcher,
        headers: {
          authorization: `Bearer ${c.accessToken}`,
          accept: 'application/json',
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      if (res.status === 429 || res.status === 503) {
        throttledSeen++;
        const after = Number(res.headers.get('retry-after'));
        await clock.sleep(Number.isFinite(after) && after > 0 ? after * 1000 : NO_RETRY_AFTER_MS);
        continue;
      }
      if (res.status >= 400)
        throw new Error(`${method} ${new URL(url).pathname} answered ${res.status}: ${text.slice(0, 300)}`);
      return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
    }
  };

  const graph = `${c.sim.graphUrl}/v1.0/deviceManagement`;
  const realStart = performance.now();
  const startedAt = clock.now();

  // 1. Upload, one device at a time.
  const imported: { id: string; serialNumber: string; status: string; registrationId: string }[] = [];
  for (let i = 0; i < c.devices; i++) {
    const serialNumber = `PL${String(i).padStart(6, '0')}`;
    const hardwareIdentifier = encodeHardwareHash({ serialNumber, manufacturer: 'Contoso', model: 'Bench 1' });
    const res = await call('POST', `${graph}/importedWindowsAutopilotDeviceIdentities`, {
      '@odata.type': '#microsoft.graph.importedWindowsAutopilotDeviceIdentity',
      groupTag: c.groupTag,
      serialNumber,
      productKey: '',
      hardwareIdentifier,
      assignedUserPrincipalName: '',
    });
    imported.push({ id: String(res.json?.id), serialNumber, status: 'unknown', registrationId: '' });
  }
  const uploadedAt = clock.now();

  // 2. Status of every record by id, every 30 s, until none is `unknown`.
  let statusRounds = 0;
  for (;;) {
    statusRounds++;
    let waiting = 0;
    for (const d of imported) {
      const res = await call('GET', `${graph}/importedWindowsAutopilotDeviceIdentities/${d.id}`);
      const state = (res.json?.state ?? {}) as { deviceImportStatus?: string; deviceRegistrationId?: string };
      d.status = state.deviceImportStatus ?? 'unknown';
      d.registrationId = state.deviceRegistrationId ?? '';
      if (d.status === 'unknown') waiting++;
    }
    if (!waiting) break;
    await clock.sleep(POLL_MS);
  }
  const importedAt = clock.now();

  // 3. The whole tenant's registered devices, every 30 s, until every imported device is there.
  const wanted = imported.filter((d) => d.status === 'complete');
  const listUrl = `${c.sim.graphUrl}/${c.waitFor === 'assigned' ? 'beta' : 'v1.0'}/deviceManagement/windowsAutopilotDeviceIdentities`;
  let listRounds = 0;
  let doneCount = 0;
  for (;;) {
    listRounds++;
    const seen = new Map<string, Record<string, unknown>>();
    for (let next: string | undefined = listUrl; next;) {
      const page = await call('GET', next);
      for (const o of (page.json?.value ?? []) as Record<string, unknown>[]) seen.set(String(o.id), o);
      next = page.json?.['@odata.nextLink'] as string | undefined;
    }
    doneCount = wanted.filter((d) => {
      const reg = seen.get(d.registrationId);
      if (!reg) return false;
      return c.waitFor !== 'assigned' || String(reg.deploymentProfileAssignmentStatus ?? '').startsWith('assigned');
    }).length;
    if (doneCount === wanted.length) break;
    await clock.sleep(POLL_MS);
  }
  const doneAt = clock.now();
  const realSeconds = Number(((performance.now() - realStart) / 1000).toFixed(2));
  await dispatcher.close();
  return {
    role: 'baseline',
    devices: c.devices,
    waitFor: c.waitFor,
    startedAt,
    uploadedAt,
    importedAt,
    doneAt,
    realSeconds,
    states: { complete: wanted.length, error: imported.length - wanted.length, done: doneCount },
    throttledSeen,
    statusRounds,
    listRounds,
    memory: memory.stop(),
  };
}
