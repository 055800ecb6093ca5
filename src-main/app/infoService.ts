import type { StationInfo } from '../contract/types.ts';

export interface InfoDeps {
  version: string;
  host: StationInfo['host'];
  platform: string;
  arch: string;
  stationName: string;
  /** Read on every call: settings change at run time (sign-in, admin pre-seed). */
  tenant: () => Promise<{ tenantId: string; cloud: string } | undefined>;
}

/** Who and what this station is. Training mode whenever no tenant is configured. */
export class InfoService {
  constructor(private readonly deps: InfoDeps) {}

  async getInfo(): Promise<StationInfo> {
    const tenant = await this.deps.tenant();
    const info: StationInfo = {
      name: 'Autopilot Station',
      version: this.deps.version,
      mode: tenant ? 'tenant' : 'training',
      host: this.deps.host,
      platform: this.deps.platform,
      arch: this.deps.arch,
      stationName: this.deps.stationName,
    };
    if (tenant) info.tenant = tenant;
    return info;
  }
}
