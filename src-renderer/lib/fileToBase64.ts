/** Browser mode has no file paths: files travel to the station as base64 (readFileContents). */
export async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  // Chunks keep String.fromCharCode's argument list under engine limits.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Saves base64 bytes (a zip) as a download. */
export function downloadBase64(name: string, base64: string, type = 'application/zip'): void {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  downloadBlob(name, new Blob([bytes], { type }));
}

/** Saves text as a download through a Blob link (no navigation, allowed by the CSP). */
export function downloadText(name: string, content: string, type = 'text/csv;charset=utf-8'): void {
  downloadBlob(name, new Blob([content], { type }));
}

function downloadBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
