/** English strings. Every key here must exist in ja.ts (the type checker enforces it). */
export const en = {
  'app.title': 'Autopilot Station',
  'app.loading': 'Starting the station…',
  'app.error': 'The station could not start: {message}',
  'banner.training': 'Training mode: devices go to the built-in simulated tenant, not to Intune. Nothing you do here reaches Microsoft.',
  'banner.tenant': 'Connected tenant: {tenantId} ({cloud})',
  'info.version': 'Version',
  'info.mode': 'Mode',
  'info.mode.training': 'Training',
  'info.mode.tenant': 'Tenant',
  'info.host': 'Running as',
  'info.host.electron': 'Desktop app',
  'info.host.browser': 'Browser mode',
  'info.platform': 'Platform',
  'info.station': 'Station name',
  'language.label': 'Language',
} as const;

export type MessageKey = keyof typeof en;
