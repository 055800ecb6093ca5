import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { AuthService } from '../auth/authService.ts';
import { StationError } from '../contract/errors.ts';
import type { ConnectionCheckReport, StationSettings } from '../contract/types.ts';
import { GraphFailure, type AutopilotPort } from '../graph/autopilotPort.ts';
import type { CloudEndpoints } from '../graph/clouds.ts';
import type { RateBudget } from '../graph/rateBudget.ts';
import type { NetworkPort } from '../net/networkPort.ts';
import { deferredAutopilot } from '../queue/deferredAutopilot.ts';
import { CheckRecords, tenantCheckKey } from './checkRecords.ts';
import { runConnectionCheck, type CheckAuth, type ConnectionCheckTarget } from './connectionCheck.ts';

/** What the check needs from the station's tenant session (TenantSession.checkTarget()). */
export interface SessionCheckTarget {
  training: boolean;
  settings: StationSettings;
  cloud: CloudEndpoints;
  auth: AuthService;
  budget?: RateBudget;
  /** The tenant's network port (its proxy and trusted roots): the check goes where the imports go. */
  network?: NetworkPort;
}

export interface ConnectionCheckServiceOptions {
  target: () => Promise<SessionCheckTarget>;
  records: CheckRecords;
  clock: Clock;
  logger: Logger;
}

/**
 * The station's pre-flight check: "Check connection" in Settings, `autopilot-station check`, and the
 * check the first import of a never-checked tenant runs by itself (silent sign-in only there).
 */
export class ConnectionCheckService {
  private running?: Promise<ConnectionCheckReport> | undefined;

  constructor(private readonly o: ConnectionCheckServiceOptions) {}

  /** Runs every check; `interactive` lets the sign-in check sign in (device code, browser) when signed out. */
  run(options: { interactive?: boolean } = {}): Promise<ConnectionCheckReport> {
    // One check at a time: a second press gets the same answer.
    this.running ??= this.doRun(options.interactive ?? true).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** The key of the current tenant in the check records (and its queue's slug). */
  async tenantKey(): Promise<string> {
    const t = await this.o.target();
    return tenantCheckKey(t.training, t.settings.cloud, t.auth.config.tenantId ?? '');
  }

  /** The last check of the current tenant (run from Settings, the CLI or the first import), or null. */
  async lastReport(): Promise<ConnectionCheckReport | null> {
    try {
      return (await this.o.records.last(await this.tenantKey()))?.report ?? null;
    } catch (err) {
      // No tenant to ask about yet (settings incomplete): nothing was checked.
      if (err instanceof StationError) return null;
      throw err;
    }
  }

  needsCheck(tenantKey: string): Promise<boolean> {
    return this.o.records.needsCheck(tenantKey);
  }

  recordCheck(tenantKey: string, report: ConnectionCheckReport): Promise<void> {
    return this.o.records.recordCheck(tenantKey, report);
  }

  private async doRun(interactive: boolean): Promise<ConnectionCheckReport> {
    const t = await this.o.target();
    const cfg = t.auth.config;
    const target: ConnectionCheckTarget = {
      mode: t.training ? 'training' : 'tenant',
      cloud: t.cloud,
      cloudLabel: t.cloud.label,
      tenant: cfg.tenantId ?? '',
      clientId: cfg.clientId,
      method: cfg.mode,
      apiVersion: t.settings.apiVersion,
      auth: authAttempt(t.auth, interactive),
      ...(t.network ? { network: t.network } : {}),
      ...(t.budget ? { budget: t.budget } : {}),
    };
    const report = await runConnectionCheck(target, { clock: this.o.clock, logger: this.o.logger });
    const key = tenantCheckKey(t.training, t.settings.cloud, cfg.tenantId ?? '');
    await this.o.records.recordCheck(key, report);
    this.o.logger.info('Connection check', {
      tenant: key,
      status: report.status,
      failed: report.checks.filter((c) => c.status === 'failed').map((c) => c.code),
      requests: report.requests,
    });
    return report;
  }
}

/** A real attempt with the station's own sign-in: its token when signed in; else sign in (only when interactive). */
export function authAttempt(auth: AuthService, interactive: boolean): CheckAuth {
  const scope = auth.config.cloud.scope;
  return {
    requests: () => auth.signInRequests,
    acquireToken: async () => {
      try {
        return await auth.getAccessToken(scope);
      } catch (err) {
        if (!interactive || !(err instanceof GraphFailure && err.kind === 'sign-in-expired')) throw err;
      }
      const status = await auth.signIn();
      if (status.state !== 'signed-in')
        throw new StationError(status.error ?? { code: 'AUTH_FAILED', message: 'The sign-in did not finish.' });
      return auth.getAccessToken(scope);
    },
  };
}

/**
 * The first import of a tenant that was never checked (or whose last check failed) runs the check
 * first. When it fails, the batch waits with the check's words (the worker shows them once and tries
 * later) instead of every device failing one by one. Wrap the worker's Autopilot port with it.
 */
export function checkedAutopilot(
  port: AutopilotPort,
  checks: Pick<ConnectionCheckService, 'run' | 'tenantKey' | 'needsCheck'>,
  options: { skip?: () => Promise<boolean> } = {},
): AutopilotPort {
  const ensureChecked = async (): Promise<void> => {
    if ((await options.skip?.()) || !(await checks.needsCheck(await checks.tenantKey()))) return;
    const report = await checks.run({ interactive: false });
    const first = report.checks.find((c) => c.status === 'failed');
    if (first) {
      throw new GraphFailure({
        code: 'CHECK_FAILED',
        message: `The connection check of this tenant failed before the first import: ${first.message}`,
        ...(first.action
          ? { action: `${first.action} Then press "Check connection" in Settings.` }
          : { action: 'Fix it, then press "Check connection" in Settings.' }),
        // The failing step's own params travel too: its words need them ("cannot resolve {host} ({reason})").
        params: { ...first.params, check: first.id, code: first.code },
        details: { check: first.id, checkCode: first.code, seen: first.seen },
        kind: 'unknown',
        transient: false,
      });
    }
  };
  // Every other call passes straight through (a class instance's methods, too).
  return {
    ...deferredAutopilot(async () => port),
    readyToImport: async () => {
      await ensureChecked();
      await port.readyToImport?.();
    },
    importBatch: async (devices) => {
      await ensureChecked();
      return port.importBatch(devices);
    },
  };
}
