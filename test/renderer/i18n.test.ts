import { describe, expect, it } from 'vitest';
import { en } from '../../src-renderer/lib/i18n/en.ts';
import { ja } from '../../src-renderer/lib/i18n/ja.ts';
import { i18n, t } from '../../src-renderer/lib/i18n/i18n.svelte.ts';

describe('dictionaries', () => {
  it('Japanese has every key, with the same placeholders, and is really Japanese', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const sameAsEnglish: string[] = [];
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(ja[key], key).toBeTypeOf('string');
      expect(placeholders(ja[key]), key).toEqual(placeholders(en[key]));
      if (ja[key] === en[key] && /[a-z]{4}/.test(en[key])) sameAsEnglish.push(key);
    }
    // Only the product name, a key name and a bare placeholder pattern may stay as they are.
    expect(sameAsEnglish).toEqual([
      'app.title',
      'capture.queueHint',
      'notify.title',
      'error.labelDone',
      'error.labelStation',
    ]);
  });
  it('uses the Intune documentation terms', () => {
    expect(ja['col.groupTag']).toBe('グループ タグ');
    expect(ja['detail.hash']).toBe('ハードウェア ハッシュ');
    expect(ja['waitFor.assigned']).toContain('展開プロファイル');
    expect(ja['auth.signIn']).toBe('サインイン');
    expect(ja['settings.tenantId']).toBe('テナント ID');
  });
  it('formats numbers and dates in the locale', () => {
    i18n.setLocale('ja');
    expect(t('queue.shown', { shown: 3000, total: 10000 })).toBe('10,000 台中 3,000 台を表示');
    expect(i18n.dateTime('2026-11-23T10:00:00Z')).toMatch(/2026\/11\/23/);
    expect(i18n.relative('2026-11-23T10:05:00Z', Date.parse('2026-11-23T10:00:00Z'))).toBe('5 分後');
    i18n.setLocale('en');
    expect(i18n.relative('2026-11-23T10:05:00Z', Date.parse('2026-11-23T10:00:00Z'))).toBe('in 5 minutes');
  });
});
