/**
 * The fake station's stand-in for the 4K hash: base64 of "FAKEHASH|manufacturer|model|serial".
 * The real decoder (src-main/capture) needs node:crypto; the screens only need its verdicts.
 */
export function fakeHash(manufacturer: string, model: string, serial: string): string {
  return btoa(`FAKEHASH|${manufacturer}|${model}|${serial}`);
}

export function readFakeHash(hash: string): { manufacturer: string; model: string; serial: string } | undefined {
  try {
    const [magic, manufacturer, model, serial] = atob(hash).split('|');
    if (magic !== 'FAKEHASH' || manufacturer === undefined || model === undefined || serial === undefined)
      return undefined;
    return { manufacturer, model, serial };
  } catch {
    return undefined;
  }
}
