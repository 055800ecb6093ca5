import { ApiError } from '../api.ts';
import { wordCode } from '../codes.ts';
import { i18n, t, type MessageKey } from '../i18n/i18n.svelte.ts';

/** The contract's field names, as the screens label them, for "which value was refused". */
const FIELD_LABELS: Record<string, MessageKey> = {
  groupTag: 'groupTag.label',
  defaultGroupTag: 'settings.defaultGroupTag',
  assignedUser: 'col.user',
  serialNumber: 'col.serial',
  hardwareHash: 'detail.hash',
  productKey: 'detail.productKey',
  tenantId: 'settings.tenantId',
  clientId: 'settings.clientId',
  cloud: 'settings.cloud',
  apiVersion: 'settings.apiVersion',
  authMode: 'settings.authMode',
  certificatePath: 'settings.certificatePath',
  batchSize: 'settings.batchSize',
  dropFolder: 'settings.dropFolder',
  waitFor: 'settings.waitFor',
};

/** The fields an INPUT_INVALID names in its issues ("patch.tenantId: ..."), in the screen's words. */
function refusedFields(err: ApiError): string[] {
  const issues = err.details?.issues;
  if (!Array.isArray(issues)) return [];
  const names = issues.flatMap((i) => {
    const path = typeof i === 'string' ? (i.split(':')[0] ?? '') : '';
    const field = path
      .split('.')
      .reverse()
      .find((p) => FIELD_LABELS[p]);
    return field ? [t(FIELD_LABELS[field]!)] : [];
  });
  return [...new Set(names)];
}

/**
 * One line a technician can act on, from whatever a call threw, in their language: a station error is
 * worded by its code and params (its English message is the CLI's and the log's, not the screen's).
 */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    const text = wordCode(err.code, err.params);
    const fields = err.code === 'INPUT_INVALID' ? refusedFields(err) : [];
    return fields.length
      ? `${text} ${t('code.INPUT_INVALID.fields', { fields: fields.join(i18n.locale === 'ja' ? '、' : ', ') })}`
      : text;
  }
  // A renderer-side failure (a file the browser could not read...): no code, so the generic words.
  return t('code.unknown', { code: err instanceof Error ? err.name : 'Error' });
}
