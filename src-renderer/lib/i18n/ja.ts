import type { MessageKey } from './en.ts';

/** 日本語。用語は Intune の日本語ドキュメント（Windows Autopilot、グループ タグ、テナント）に合わせる。 */
export const ja: Record<MessageKey, string> = {
  'app.title': 'Autopilot Station',
  'app.loading': 'ステーションを起動しています…',
  'app.error': 'ステーションを起動できませんでした: {message}',
  'banner.training': 'トレーニング モード: デバイスは Intune ではなく、組み込みのシミュレーション テナントに送られます。ここでの操作は Microsoft には届きません。',
  'banner.tenant': '接続中のテナント: {tenantId} ({cloud})',
  'info.version': 'バージョン',
  'info.mode': 'モード',
  'info.mode.training': 'トレーニング',
  'info.mode.tenant': 'テナント',
  'info.host': '実行形態',
  'info.host.electron': 'デスクトップ アプリ',
  'info.host.browser': 'ブラウザー モード',
  'info.platform': 'プラットフォーム',
  'info.station': 'ステーション名',
  'language.label': '言語',
};
