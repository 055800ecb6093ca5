import { ApiError, type StationApi } from '../api.ts';
import type {
  AuthStatus,
  ConnectionCheckReport,
  DeviceCodePrompt,
  DiagnosticsFile,
  StationSettings,
} from '../../../src-main/contract/types.ts';
import { errorText } from './errorText.ts';

export type SettingsPatch = Parameters<StationApi['updateSettings']>[0]['patch'];

/** Settings, who is signed in and the device code being shown; fed by authChanged and deviceCode. */
export class SettingsStore {
  settings = $state<StationSettings | undefined>(undefined);
  auth = $state<AuthStatus | undefined>(undefined);
  deviceCode = $state<DeviceCodePrompt | undefined>(undefined);
  error = $state<string | undefined>(undefined);
  private readonly offs: (() => void)[];

  constructor(private readonly api: StationApi) {
    this.offs = [
      api.on('authChanged', (status) => {
        this.auth = status;
        if (status.state !== 'signing-in') this.deviceCode = undefined;
      }),
      api.on('deviceCode', (prompt) => (this.deviceCode = prompt)),
    ];
  }

  dispose(): void {
    for (const off of this.offs) off();
  }

  async load(): Promise<void> {
    const [settings, auth] = await Promise.allSettled([this.api.getSettings({}), this.api.getAuthStatus({})]);
    if (settings.status === 'fulfilled') this.settings = settings.value;
    else this.error = errorText(settings.reason);
    if (auth.status === 'fulfilled') this.auth = auth.value;
  }

  isLocked(name: keyof StationSettings): boolean {
    return this.settings?.locked.includes(name) ?? false;
  }

  async save(patch: SettingsPatch): Promise<void> {
    this.settings = await this.api.updateSettings({ patch });
  }

  async signIn(): Promise<void> {
    this.auth = { ...(this.auth ?? { state: 'signed-out' }), state: 'signing-in' };
    try {
      this.auth = await this.api.signIn({});
    } catch (err) {
      // Keep the station's code and params: the screen words them in the technician's language.
      const e = err instanceof ApiError ? err : undefined;
      this.auth = {
        state: 'error',
        error: {
          code: e?.code ?? 'SIGN_IN_FAILED',
          message: errorText(err),
          ...(e?.params ? { params: e.params } : {}),
        },
      };
    } finally {
      if (this.auth?.state !== 'signing-in') this.deviceCode = undefined;
    }
  }

  /** The read-only pre-flight check of this bench, the tenant and the app registration. */
  checkConnection(): Promise<ConnectionCheckReport> {
    return this.api.checkConnection({});
  }

  lastConnectionCheck(): Promise<ConnectionCheckReport | null> {
    return this.api.lastConnectionCheck({});
  }

  /** Support's zip: written next to the user's files by the app, handed to the page in browser mode. */
  saveDiagnostics(): Promise<DiagnosticsFile> {
    return this.api.saveDiagnostics({});
  }

  /** Stops a browser or device-code sign-in that waits for the technician. */
  async cancelSignIn(): Promise<void> {
    this.auth = await this.api.cancelSignIn({});
    if (this.auth.state !== 'signing-in') this.deviceCode = undefined;
  }

  /** Another window or the station changed the settings: take them as they are now, and who is signed in for them. */
  applied(settings: StationSettings): void {
    this.settings = settings;
    void this.api.getAuthStatus({}).then(
      (auth) => (this.auth = auth),
      () => undefined,
    );
  }

  async signOut(): Promise<void> {
    this.auth = await this.api.signOut({});
  }
}
