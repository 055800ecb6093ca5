/** Plain data that crosses the bridge. No class instances, no functions, no secrets. */

export type StationMode = 'training' | 'tenant';

export interface StationInfo {
  name: 'Autopilot Station';
  version: string;
  mode: StationMode;
  /** Where this renderer is hosted: the Electron app or browser mode. */
  host: 'electron' | 'browser';
  platform: string;
  arch: string;
  stationName: string;
  /** When mode is 'tenant': which tenant and cloud. Never a token. */
  tenant?: { tenantId: string; cloud: string };
}

/** Pushed whenever queued devices change; later work adds fields, never removes them. */
export interface QueueChanged {
  /** Ids of devices whose record changed (empty means "reload everything"). */
  deviceIds: string[];
  at: string;
}
