import type { Handlers } from '../contract/contract.ts';

/**
 * What support needs besides the logs: the station, its settings, sign-in state and the whole queue (of the current
 * tenant).
 */
export function diagnosticsSections(handlers: Handlers): Record<string, () => Promise<unknown>> {
  const wholeQueue = async () => {
    const first = await handlers.listQueue({ offset: 0, limit: 10_000 });
    const rows = [...first.rows];
    while (rows.length < first.total) {
      const page = await handlers.listQueue({ offset: rows.length, limit: 10_000 });
      if (page.rows.length === 0) break;
      rows.push(...page.rows);
    }
    return { total: first.total, counts: first.counts, rows };
  };
  let queue: ReturnType<typeof wholeQueue> | undefined;
  const once = () => (queue ??= wholeQueue());
  return {
    'station.json': () => handlers.getInfo({}),
    'settings.json': () => handlers.getSettings({}),
    // The configured method beside the live status (which says nothing about the method while signed out).
    'sign-in.json': async () => {
      const [settings, status] = await Promise.all([handlers.getSettings({}), handlers.getAuthStatus({})]);
      return {
        configuredMethod: settings.tenantId ? settings.authMode : 'training (certificate, built-in)',
        tenantId: settings.tenantId ?? null,
        cloud: settings.cloud,
        ...status,
      };
    },
    'queue-counts.json': async () => {
      const q = await once();
      return { total: q.total, counts: q.counts };
    },
    'queue.json': async () => (await once()).rows,
    // Failed devices with their event history: the Graph request ids Microsoft support asks for.
    'failed-devices.json': async () => {
      const failed = (await once()).rows.filter((r) => r.state === 'failed' || r.state === 'timed-out').slice(0, 200);
      return Promise.all(failed.map((r) => handlers.getDevice({ id: r.id })));
    },
  };
}
