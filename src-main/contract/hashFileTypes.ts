/**
 * The files Capture and Import take, by name, declared once for main (every call that reads a named file:
 * captureThisDevice, readFiles, readFileContents, the drop folder, `import` on the command line) and the renderer
 * (the file dialogs' filter, and Import's list of files it did not send). The readers then choose the reader by
 * content (src-main/capture/readHashFile.ts). No imports: the contract is bundled into main, preload and renderer.
 *
 * Hash files are Get-WindowsAutopilotInfo's, the admin centre's, Partner Center's and ConfigMgr's CSV and OA3Tool's
 * OA3.xml (docs/domain.md#csv-formats, docs/domain.md#oa3xml). Workbooks are taken too: the reader names them and
 * says how to save the CSV, instead of leaving the technician with "not read".
 */
export const HASH_FILE_EXTENSIONS = ['.csv', '.xml'] as const;
export const WORKBOOK_EXTENSIONS = ['.xlsx', '.xls'] as const;
export const ACCEPTED_FILE_EXTENSIONS: readonly string[] = [...HASH_FILE_EXTENSIONS, ...WORKBOOK_EXTENSIONS];

/** What a refusal says is accepted: the hash files' extensions. */
export const HASH_FILE_TYPES_TEXT = HASH_FILE_EXTENSIONS.join(', ');

/** The file dialogs' `accept` filter: hash files by extension and by the browsers' MIME types for them. */
export const HASH_FILE_ACCEPT = [...HASH_FILE_EXTENSIONS, 'text/csv', 'text/xml', 'application/xml'].join(',');

/** True when a file name (or a Windows or POSIX path) ends in an accepted extension, in any case. */
export function isAcceptedFileName(nameOrPath: string): boolean {
  const name = nameOrPath.split(/[\\/]/).pop() ?? '';
  const dot = name.lastIndexOf('.');
  return dot > 0 && ACCEPTED_FILE_EXTENSIONS.includes(name.slice(dot).toLowerCase());
}
