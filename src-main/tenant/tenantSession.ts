import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import { StationError } from '../contract/errors.ts';
import type { AuthStatus, DeviceCodePrompt, GroupTags, StationSettings } from '../contract/types.ts';
import { AutopilotGraph } from '../graph/autopilotGraph.ts';
import { GraphFailure, type AutopilotPort } from '../graph/autopilotPort.ts';
import { CLOUDS, customCloud, type CloudEndpoints } from '../graph/clouds.ts';
import { GraphClient } from '../graph/graphClient.ts';
import { AUTOPILOT_PERMISSION } from '../graph/graphFailures.ts';
import { createCaDispatcher } from '../graph/httpsDispatcher.ts';
import { RateBudget } from '../graph/rateBudget.ts';
import { JsonSyncStampStore } from '../graph/syncStampStore.ts';
import { AuthService } from '../auth/authService.ts';
import { loadCertificateCredential } from '../auth/certificateCredential.ts';
import { EncryptedCachePlugin } from '../auth/encryptedCachePlugin.ts';
import { KeyFileProtector } from '../auth/keyFileProtector.ts';
import { MsalNetworkClient } from '../auth/msalNetworkClient.ts';
import { isTrainingMode, type SettingsPatch, type SettingsStore } from '../auth/settingsStore.ts';
import type { TokenCacheProtector } from '../auth/tokenCacheProtector.ts';

/** The built-in simulated tenant as the session needs it (training mode). */
export interface TrainingTenant {
  graphUrl: string;
  authorityHost: string;
  caCertPem: string;
  tenantId: string;
  clientId: string;
  /** A certificate registered on the simulated app: training signs in with it, unattended. */
  clientCertificatePem: string;
  close(): Promise<void>;
}
export type StartTrainingTenant = () => Promise<TrainingTenant>;

export interface TenantSessionOptions {
  dataDir: string;
  logger: Logger;
  clock: Clock;
  settings: SettingsStore;
  /** Electron: safeStorage. Otherwise a key file in the data dir (weaker, says so in the log). */
  protector?: TokenCacheProtector;
  openBrowser(url: string): Promise<void>;
  onAuthChanged(status: AuthStatus): void;
  onDeviceCode(prompt: DeviceCodePrompt): void;
  startTraining?: StartTrainingTenant;
  /** Group tags this station used lately (the queue knows them). */
  recentGroupTags?(): Promise<string[]>;
}

interface Live {
  key: string;
  training: boolean;
  cloud: CloudEndpoints;
  auth: AuthService;
  graph: GraphClient;
  autopilot: AutopilotGraph;
}

const TENANT_KEYS: (keyof StationSettings)[] = ['tenantId', 'clientId', 'cloud', 'apiVersion', 'authMode', 'certificatePath'];

/**
 * The station's connection to one tenant: settings → sign-in → Graph client → Autopilot
 * operations. Rebuilt when a setting that changes the tenant, cloud or sign-in changes. Training
 * mode (no tenant id) starts the simulated tenant in-process and signs in to it by itself.
 */
export class TenantSession {
  private live?: Promise<Live>;
  private training?: Promise<TrainingTenant>;
  private readonly protector: TokenCacheProtector;

  constructor(private readonly o: TenantSessionOptions) {
    this.protector = o.protector ?? new KeyFileProtector(path.join(o.dataDir, 'token-cache.key'), o.logger);
  }

  getSettings(): Promise<StationSettings> {
    return this.o.settings.load();
  }

  async updateSettings(patch: SettingsPatch): Promise<StationSettings> {
    const before = await this.o.settings.load();
    const after = await this.o.settings.update(patch);
    if (TENANT_KEYS.some((k) => before[k] !== after[k])) await this.reset();
    return after;
  }

  async getAuthStatus(): Promise<AuthStatus> {
    return this.asStatus(async () => {
      const live = await this.connect();
      return live.training ? this.trainingStatus(live) : live.auth.status();
    });
  }

  async signIn(): Promise<AuthStatus> {
    return this.asStatus(async () => {
      const live = await this.connect();
      if (live.training) return this.trainingStatus(live);
      const done = live.auth.signIn();
      if (live.auth.config.mode === 'certificate') return done;
      // Browser and device-code sign-ins wait for the technician (minutes): answer 'signing-in'
      // now; the outcome arrives as an authChanged event (and the device code as deviceCode).
      void done.catch(() => {});
      return live.auth.status();
    });
  }

  /** A settings problem (no client id, unreadable certificate) is a status to show, not a crash. */
  private async asStatus(get: () => Promise<AuthStatus>): Promise<AuthStatus> {
    try {
      return await get();
    } catch (err) {
      if (!(err instanceof StationError)) throw err;
      const s = await this.o.settings.load();
      return { state: 'error', mode: s.authMode, error: err.toData() };
    }
  }

  async signOut(): Promise<AuthStatus> {
    const live = await this.connect();
    const status = await live.auth.signOut();
    if (live.training) {
      this.o.onAuthChanged({ state: 'training' });
      return { state: 'training' };
    }
    return status;
  }

  /** The Autopilot operations of the current tenant, for the queue worker. */
  async autopilot(): Promise<AutopilotPort> {
    return (await this.connect()).autopilot;
  }

  /** The client of the current tenant (request counts for the status line and benches). */
  async graph(): Promise<GraphClient> {
    return (await this.connect()).graph;
  }

  async listGroupTags(): Promise<GroupTags> {
    const settings = await this.o.settings.load();
    const recent = [...new Set([...(settings.defaultGroupTag ? [settings.defaultGroupTag] : []), ...((await this.o.recentGroupTags?.()) ?? [])])];
    let tenant: string[] = [];
    try {
      const live = await this.connect();
      if (live.training || live.auth.status().state === 'signed-in') tenant = await live.autopilot.listGroupTags();
    } catch (err) {
      // The picker still works from recent tags when the tenant cannot be asked right now.
      if (!(err instanceof StationError)) throw err;
      this.o.logger.warn('Could not list the tenant\'s group tags', { code: err.code, requestId: err instanceof GraphFailure ? err.requestId : undefined });
    }
    return { tenant, recent };
  }

  async close(): Promise<void> {
    await this.reset();
    const t = this.training;
    this.training = undefined;
    if (t) await (await t).close().catch(() => {});
  }

  private async reset(): Promise<void> {
    const live = this.live;
    this.live = undefined;
    if (live) await live.catch(() => undefined);
  }

  private connect(): Promise<Live> {
    this.live ??= this.build().catch((err: unknown) => {
      this.live = undefined;
      throw err;
    });
    return this.live;
  }

  private async build(): Promise<Live> {
    const s = await this.o.settings.load();
    const { logger, dataDir } = this.o;
    if (isTrainingMode(s)) {
      if (!this.o.startTraining) throw new StationError({ code: 'TRAINING_UNAVAILABLE', message: 'The built-in training tenant is not available in this build.', action: 'Enter your tenant id in settings to work with your tenant.' });
      this.training ??= this.o.startTraining();
      const sim = await this.training;
      const cloud = customCloud(sim.graphUrl, sim.authorityHost, 'Training (simulated tenant)');
      const dispatcher = createCaDispatcher(sim.caCertPem);
      const auth = new AuthService(
        { mode: 'certificate', clientId: sim.clientId, tenantId: sim.tenantId, cloud },
        {
          cache: new EncryptedCachePlugin(path.join(dataDir, 'training-token-cache.bin'), this.protector, logger),
          logger,
          openBrowser: this.o.openBrowser,
          onDeviceCode: this.o.onDeviceCode,
          loadCertificate: async () => loadCertificateCredential(Buffer.from(sim.clientCertificatePem)),
          networkClient: new MsalNetworkClient(dispatcher),
        },
      );
      await auth.signIn();
      return this.assemble('training', true, cloud, auth, s, dispatcher, `sim:${sim.tenantId}`);
    }

    if (!s.clientId) {
      throw new StationError({ code: 'AUTH_CLIENT_ID_REQUIRED', message: 'The station needs the client id of your organisation\'s app registration to sign in.', action: `Enter the app registration's client id in settings (it needs the ${AUTOPILOT_PERMISSION} permission).` });
    }
    const cloud = CLOUDS[s.cloud];
    const passphrase = process.env.AUTOPILOT_STATION_CERT_PASSWORD;
    const auth = new AuthService(
      { mode: s.authMode, clientId: s.clientId, tenantId: s.tenantId!, cloud },
      {
        cache: new EncryptedCachePlugin(path.join(dataDir, 'token-cache.bin'), this.protector, logger),
        logger,
        openBrowser: this.o.openBrowser,
        onDeviceCode: this.o.onDeviceCode,
        onStatus: this.o.onAuthChanged,
        networkClient: new MsalNetworkClient(),
        ...(s.certificatePath ? { loadCertificate: async () => loadCertificateCredential(await readFile(s.certificatePath!), passphrase) } : {}),
      },
    );
    await auth.restore();
    return this.assemble(`${s.cloud}:${s.tenantId}:${s.clientId}`, false, cloud, auth, s, undefined, `${s.cloud}:${s.tenantId}`);
  }

  private assemble(key: string, training: boolean, cloud: CloudEndpoints, auth: AuthService, s: StationSettings, dispatcher: unknown, tenantKey: string): Live {
    const { logger, dataDir, clock } = this.o;
    const graph = new GraphClient({ cloud, apiVersion: s.apiVersion, tokens: auth, clock, logger, budget: new RateBudget(clock), ...(dispatcher ? { dispatcher } : {}) });
    const autopilot = new AutopilotGraph({ graph, tenantKey, syncStamps: new JsonSyncStampStore(path.join(dataDir, 'sync-stamps.json')), logger });
    return { key, training, cloud, auth, graph, autopilot };
  }

  private trainingStatus(live: Live): AuthStatus {
    const st = live.auth.status();
    if (st.state === 'signed-in') return { state: 'training', mode: 'certificate', ...(st.account ? { account: st.account } : {}) };
    return st.state === 'error' ? st : { state: 'training' };
  }
}
