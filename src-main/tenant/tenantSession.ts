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
import { remoteTrainingTenant } from '../graph/remoteTenant.ts';
import { readAdminCaFile } from '../net/adminCaFile.ts';
import { AUTOPILOT_PERMISSION } from '../graph/graphFailures.ts';
import { RateBudget } from '../graph/rateBudget.ts';
import { AuthService, type SignInDeadlines } from '../auth/authService.ts';
import { loadCertificateCredential } from '../auth/certificateCredential.ts';
import { EncryptedCachePlugin } from '../auth/encryptedCachePlugin.ts';
import { KeyFileProtector } from '../auth/keyFileProtector.ts';
import { MsalNetworkClient } from '../auth/msalNetworkClient.ts';
import { isTrainingMode, type SettingsPatch, type SettingsStore } from '../auth/settingsStore.ts';
import type { TokenCacheProtector } from '../auth/tokenCacheProtector.ts';
import type { NetworkFactory, NetworkPort } from '../net/networkPort.ts';
import { nodeNetworkFactory } from '../net/nodeNetwork.ts';

/** The built-in simulated tenant as the session needs it (training mode). */
export interface TrainingTenant {
  graphUrl: string;
  authorityHost: string;
  caCertPem: string;
  tenantId: string;
  clientId: string;
  /** A certificate registered on the simulated app: training signs in with it, unattended. */
  clientCertificatePem: string;
  /** A simulator elsewhere (a classroom's), reached through the proxy; absent: inside this process on loopback. */
  remote?: boolean;
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
  /** Endpoints per cloud (tests point one at a loopback server that never answers); default CLOUDS. */
  clouds?: Partial<Record<StationSettings['cloud'], CloudEndpoints>>;
  /** Sign-in deadlines (tests shorten them). */
  signInDeadlines?: Partial<SignInDeadlines>;
  /** Group tags this station used lately (the queue knows them). */
  recentGroupTags?(): Promise<string[]>;
  /** The network stack (Electron: Chromium's for Microsoft; default: Node's with the environment's proxy). */
  network?: NetworkFactory;
}

interface Live {
  key: string;
  training: boolean;
  cloud: CloudEndpoints;
  auth: AuthService;
  graph: GraphClient;
  autopilot: AutopilotGraph;
  network: NetworkPort;
}

const TENANT_KEYS: (keyof StationSettings)[] = [
  'tenantId',
  'clientId',
  'cloud',
  'apiVersion',
  'authMode',
  'certificatePath',
  'tenantUrl',
  'caFile',
];

/**
 * The station's connection to one tenant: settings → sign-in → Graph client → Autopilot
 * operations. Rebuilt when a setting that changes the tenant, cloud or sign-in changes. Training
 * mode (no tenant id) starts the simulated tenant in-process and signs in to it by itself.
 */
export class TenantSession {
  private live?: Promise<Live> | undefined;
  private training?: Promise<TrainingTenant> | undefined;
  /** Which training tenant `training` is: the built-in one or a shared one's URL and CA. */
  private trainingKey?: string;
  private readonly protector: TokenCacheProtector;
  private readonly network: NetworkFactory;

  constructor(private readonly o: TenantSessionOptions) {
    this.protector = o.protector ?? new KeyFileProtector(path.join(o.dataDir, 'token-cache.key'), o.logger);
    this.network = o.network ?? nodeNetworkFactory({ logger: o.logger });
  }

  getSettings(): Promise<StationSettings> {
    return this.o.settings.load();
  }

  /** The settings as saved now (which tenant's queue the station has open). */
  settingsNow(): StationSettings {
    return this.o.settings.loadSync();
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

  /** Stops a browser or device-code sign-in that waits for the technician (nothing to stop: the status as it is). */
  async cancelSignIn(): Promise<AuthStatus> {
    const live = this.live ? await this.live.catch(() => undefined) : undefined;
    if (!live) return this.getAuthStatus();
    if (live.training) return this.trainingStatus(live);
    return live.auth.cancelSignIn();
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
    const recent = [
      ...new Set([
        ...(settings.defaultGroupTag ? [settings.defaultGroupTag] : []),
        ...((await this.o.recentGroupTags?.()) ?? []),
      ]),
    ];
    let tenant: string[] = [];
    try {
      const live = await this.connect();
      if (live.training || live.auth.status().state === 'signed-in') tenant = await live.autopilot.listGroupTags();
    } catch (err) {
      // The picker still works from recent tags when the tenant cannot be asked right now.
      if (!(err instanceof StationError)) throw err;
      this.o.logger.warn("Could not list the tenant's group tags", {
        code: err.code,
        requestId: err instanceof GraphFailure ? err.requestId : undefined,
      });
    }
    return { tenant, recent };
  }

  /** The pre-flight check's view of the current connection: settings, cloud, sign-in, rate budget, network port. */
  async checkTarget(): Promise<{
    training: boolean;
    settings: StationSettings;
    cloud: CloudEndpoints;
    auth: AuthService;
    budget: RateBudget;
    network: NetworkPort;
  }> {
    const live = await this.connect();
    const settings = await this.o.settings.load();
    return {
      training: live.training,
      settings,
      cloud: live.cloud,
      auth: live.auth,
      budget: live.graph.budget,
      network: live.network,
    };
  }

  async close(): Promise<void> {
    const live = await this.live?.catch(() => undefined);
    await this.reset();
    // The station is quitting: waits end and no Graph request starts after this.
    live?.graph.close();
    await live?.network.close().catch(() => {});
    const t = this.training;
    this.training = undefined;
    if (t) await (await t).close().catch(() => {});
  }

  private async reset(): Promise<void> {
    const live = this.live;
    this.live = undefined;
    // The old tenant's network port is not closed here: a worker may still finish a request on it;
    // its idle connections time out by themselves (close() below ends the current one).
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
      const builtIn = this.o.startTraining;
      if (!s.tenantUrl && !builtIn)
        throw new StationError({
          code: 'TRAINING_UNAVAILABLE',
          message: 'The built-in training tenant is not available in this build.',
          action: 'Enter your tenant id in settings to work with your tenant.',
        });
      // A classroom's shared simulated tenant (tenantUrl + caFile) replaces the built-in one.
      const trainingKey = s.tenantUrl ? `${s.tenantUrl}|${s.caFile ?? ''}` : 'built-in';
      if (this.trainingKey !== trainingKey) {
        const previous = this.training;
        this.training = undefined;
        if (previous) await (await previous.catch(() => undefined))?.close().catch(() => {});
        this.trainingKey = trainingKey;
      }
      const start = s.tenantUrl ? remoteTrainingTenant({ url: s.tenantUrl, caFile: s.caFile ?? '' }, logger) : builtIn!;
      this.training ??= start().catch((err: unknown) => {
        this.training = undefined;
        throw err;
      });
      const sim = await this.training;
      const cloud = customCloud(sim.graphUrl, sim.authorityHost, 'Training (simulated tenant)');
      const network = this.network.simulated(sim.caCertPem, sim.remote ? 'remote' : 'local');
      const auth = new AuthService(
        { mode: 'certificate', clientId: sim.clientId, tenantId: sim.tenantId, cloud },
        {
          cache: new EncryptedCachePlugin(path.join(dataDir, 'training-token-cache.bin'), this.protector, logger),
          logger,
          openBrowser: this.o.openBrowser,
          onDeviceCode: this.o.onDeviceCode,
          loadCertificate: async () => loadCertificateCredential(Buffer.from(sim.clientCertificatePem)),
          networkClient: new MsalNetworkClient(network.fetch),
        },
      );
      try {
        await auth.signIn();
      } catch (err) {
        await network.close();
        throw err;
      }
      return this.assemble('training', true, cloud, auth, s, network);
    }

    if (!s.clientId) {
      throw new StationError({
        code: 'AUTH_CLIENT_ID_REQUIRED',
        message: "The station needs the client id of your organisation's app registration to sign in.",
        action: `Enter the app registration's client id in settings (it needs the ${AUTOPILOT_PERMISSION} permission).`,
      });
    }
    const cloud = this.o.clouds?.[s.cloud] ?? CLOUDS[s.cloud];
    const passphrase = process.env.AUTOPILOT_STATION_CERT_PASSWORD;
    // The admin's CA file (a TLS-inspecting proxy's root) for Node's stack; Chromium reads the Windows store.
    const network = this.network.tenant(s.caFile ? { caFilePem: await readAdminCaFile(s.caFile) } : {});
    const auth = new AuthService(
      { mode: s.authMode, clientId: s.clientId, tenantId: s.tenantId!, cloud },
      {
        cache: new EncryptedCachePlugin(path.join(dataDir, 'token-cache.bin'), this.protector, logger),
        logger,
        openBrowser: this.o.openBrowser,
        onDeviceCode: this.o.onDeviceCode,
        onStatus: this.o.onAuthChanged,
        networkClient: new MsalNetworkClient(network.fetch),
        ...(this.o.signInDeadlines ? { signInDeadlines: this.o.signInDeadlines } : {}),
        ...(s.certificatePath
          ? { loadCertificate: async () => loadCertificateCredential(await readFile(s.certificatePath!), passphrase) }
          : {}),
      },
    );
    await auth.restore();
    return this.assemble(`${s.cloud}:${s.tenantId}:${s.clientId}`, false, cloud, auth, s, network);
  }

  private assemble(
    key: string,
    training: boolean,
    cloud: CloudEndpoints,
    auth: AuthService,
    s: StationSettings,
    network: NetworkPort,
  ): Live {
    const { logger, clock } = this.o;
    const graph = new GraphClient({
      cloud,
      apiVersion: s.apiVersion,
      tokens: auth,
      clock,
      logger,
      budget: new RateBudget(clock),
      fetch: network.fetch,
    });
    // The 10-minute sync rule is kept in the tenant's queue (the worker), not here.
    const autopilot = new AutopilotGraph({ graph, logger });
    return { key, training, cloud, auth, graph, autopilot, network };
  }

  private trainingStatus(live: Live): AuthStatus {
    const st = live.auth.status();
    if (st.state === 'signed-in')
      return { state: 'training', mode: 'certificate', ...(st.account ? { account: st.account } : {}) };
    return st.state === 'error' ? st : { state: 'training' };
  }
}
