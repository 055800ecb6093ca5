/** English strings. Every key here must exist in ja.ts (the type checker enforces it). */
export const en = {
  'app.title': 'Autopilot Station',
  'app.loading': 'Starting the station…',
  'app.error': 'The station could not start: {message}',
  'banner.training':
    'Training mode: devices go to the built-in simulated tenant, not to Intune. Nothing you do here reaches Microsoft.',
  'banner.tenant': 'Tenant: {tenantId} ({cloud})',
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

  'nav.label': 'Screens',
  'nav.capture': 'Capture',
  'nav.import': 'Import files',
  'nav.queue': 'Queue',
  'nav.settings': 'Sign-in and settings',
  'theme.label': 'Theme',
  'theme.system': 'System',
  'theme.light': 'Light',
  'theme.dark': 'Dark',
  'counts.label': 'Queue counts',
  'counts.ready': 'Ready',
  'counts.waiting': 'Waiting',
  'counts.failed': 'Failed',
  'common.close': 'Close',
  'common.cancel': 'Cancel',
  'common.apply': 'Apply',
  'common.yes': 'Yes',
  'common.no': 'No',
  'common.none': '—',
  'common.notAvailable': 'This part of the station is not ready yet ({code}).',

  'shortcuts.open': 'Keyboard shortcuts',
  'shortcuts.title': 'Keyboard shortcuts',
  'shortcuts.screens': 'Go to Capture, Import, Queue, Settings',
  'shortcuts.queueDevice': 'Queue the device on the Capture screen',
  'shortcuts.scanner':
    'Scan a label: it goes to the field with the cursor, whole; with no field in focus, to the serial',
  'shortcuts.search': 'Search the queue by serial',
  'shortcuts.rows': 'Move between queue rows',
  'shortcuts.select': 'Select or unselect the row',
  'shortcuts.selectAll': 'Select every row shown',
  'shortcuts.detail': 'Open the device',
  'shortcuts.escape': 'Close the open panel',
  'shortcuts.help': 'Show this list',

  'capture.title': 'Capture this device',
  'capture.intro': 'Read this machine, scan or type its serial, add its hash file, then queue it.',
  'capture.read': 'Read this device',
  'capture.reading': 'Reading this device…',
  'capture.serial': 'Serial number',
  'capture.serialHelp':
    'Scan the serial label here or with no field in focus; then Tab or Enter goes to the hash file.',
  'capture.serialNeeded': 'This machine does not report a usable serial number. Scan the label or type it.',
  'capture.serialSource': 'Read from: {source}',
  'capture.serialSource.system': 'system',
  'capture.serialSource.bios': 'BIOS',
  'capture.serialSource.chassis': 'chassis',
  'capture.serialSource.typed': 'typed or scanned',
  'capture.serialProblem.placeholder': 'The firmware reports "{raw}", which is not a real serial number.',
  'capture.serialProblem.virtual-machine': 'This is a virtual machine ("{raw}").',
  'capture.serialProblem.missing': 'The firmware reports no serial number.',
  'capture.scanned': 'Scanned serial {serial}',
  'capture.hashFile': 'Hardware hash file (OA3.xml or CSV)',
  'capture.hashPath': 'Path of the hash file',
  'capture.hashPathHelp': 'Last folder used: {folder}',
  'capture.loadPath': 'Read file',
  'capture.pick': 'Choose a file…',
  'capture.dropFolder': 'Read the drop folder',
  'capture.device': 'Device',
  'capture.manufacturer': 'Manufacturer',
  'capture.model': 'Model',
  'capture.noHash': 'No hash file yet.',
  'capture.findings': 'Findings',
  'capture.noFindings': 'No problems found.',
  'capture.assignedUser': 'Assigned user (optional)',
  'capture.queue': 'Queue this device',
  'capture.queueHint': 'Ctrl+Enter',
  'capture.queued': '{serial} is in the queue.',
  'capture.duplicate': '{serial} was already in the queue with the same hash: it was not added again.',
  'capture.invalidQueued': '{serial} was kept in the queue as invalid. Fix the findings and capture it again.',
  'capture.notReady': 'Add a serial number and a hash file first.',
  'capture.fileErrors': 'The file could not be read:',

  'severity.error': 'Error',
  'severity.warning': 'Warning',
  'severity.info': 'Note',
  'code.HASH_EMPTY': 'The hardware hash is empty. Capture the hash again.',
  'code.HASH_NOT_BASE64': 'The hardware hash is not base64 text. The file may be damaged: capture the hash again.',
  'code.HASH_PADDING_FIXED': 'The hash had no base64 padding; the station added it as Intune requires.',
  'code.HASH_BAD_MAGIC': 'This is not a Windows hardware hash. Check that you chose the right file.',
  'code.HASH_TRUNCATED': 'The hardware hash is cut short. Capture the hash again.',
  'code.HASH_BAD_RECORD': 'The hardware hash has a damaged record. Capture the hash again.',
  'code.HASH_NO_TRAILER': 'The hardware hash has no checksum block. Capture the hash again.',
  'code.HASH_CHECKSUM_MISMATCH':
    'The hash checksum does not match: the file was changed or damaged. Capture the hash again.',
  'code.HASH_TRAILING_DATA': 'The hash has extra data after its end. Usually harmless.',
  'code.HASH_NO_SERIAL':
    'The hash contains no serial number. Intune will reject it (802). Fix the firmware serial, then capture again.',
  'code.HASH_NO_MANUFACTURER':
    'The hash contains no manufacturer. Intune will reject it (802). Fix the firmware, then capture again.',
  'code.SERIAL_MISMATCH':
    'The serial in the hash[ ({hashSerial})] differs from the serial number of the device[ ({serial})]. Check that the hash belongs to this device.',
  'code.SERIAL_PLACEHOLDER': 'This is not a real serial number. Scan the serial label or type the serial.',
  'code.SERIAL_MISSING': 'The device has no serial number. Scan the serial label or type the serial.',

  'import.title': 'Import files',
  'import.intro':
    'Drop or choose CSV files (Get-WindowsAutopilotInfo) or OA3.xml files. Good rows are queued; bad rows are listed with their line.',
  'import.drop': 'Drop CSV or XML files here',
  'import.pick': 'Choose files…',
  'import.pickFolder': 'Choose a folder…',
  'import.sent': '{count} queued',
  'import.reading': 'Reading {count} files…',
  'import.file': 'File',
  'import.summary': '{good} good, {bad} bad',
  'import.line': 'Line {line}',
  'import.result': 'Result',
  'import.row': 'Row',
  'import.reason': 'Reason',
  'import.fixTagInFile': "Fix this row's Group Tag in the file and read the file again.",
  'import.fixUserInFile': "Fix this row's Assigned User in the file and read the file again.",
  'import.queueGood': 'Queue {count} good devices',
  'import.queued': '{queued} queued, {duplicates} already in the queue, {invalid} kept as invalid.',
  'import.clear': 'Clear the list',
  'import.none': 'No files yet.',
  'import.tooBig': '{name} is larger than 10 MB and was skipped.',
  'import.goodRows': 'Good devices',
  'import.badRows': 'Rows with problems',

  'queue.title': 'Queue',
  'queue.search': 'Search by serial',
  'queue.filter': 'Show',
  'queue.filter.all': 'All states',
  'queue.filter.ready': 'Ready',
  'queue.filter.waiting': 'Waiting',
  'queue.filter.failed': 'Failed',
  'queue.shown': '{shown} of {total} devices',
  'queue.empty': 'No devices match.',
  'queue.loading': 'Loading the queue…',
  'queue.selected': '{count} selected',
  'queue.selectAll': 'Select all shown',
  'queue.clearSelection': 'Clear selection',
  'queue.retry': 'Retry',
  'queue.remove': 'Remove',
  'queue.changeTag': 'Change group tag',
  'queue.exportIntune': 'Export Intune CSV',
  'queue.exportReport': 'Export report',
  'queue.exported': '{name} saved ({rows} rows).',
  'queue.affected': '{count} devices updated.',
  'queue.notShown.one': '({count} of them not shown by the current search or filter)',
  'queue.notShown.other': '({count} of them not shown by the current search or filter)',
  'queue.andMore.one': 'and {count} more',
  'queue.andMore.other': 'and {count} more',
  'queue.removeConfirm': 'Remove {count} devices from the queue? Devices already registered stay in Intune.',
  'queue.table': 'Devices in the queue',
  'queue.due': 'due {time}',
  'queue.overdue': 'overdue',
  'queue.selectRow': 'Select {serial}',
  'col.serial': 'Serial number',
  'col.model': 'Model',
  'col.groupTag': 'Group tag',
  'col.user': 'Assigned user',
  'col.state': 'State',
  'col.deadline': 'Deadline',
  'col.error': 'Error and advice',

  'state.captured': 'Captured',
  'state.invalid': 'Invalid',
  'state.queued': 'Queued',
  'state.importing': 'Importing',
  'state.imported': 'Imported',
  'state.registered': 'Registered',
  'state.assigned': 'Ready to deploy',
  'state.already-registered': 'Already registered',
  'state.failed': 'Failed',
  'state.timed-out': 'Timed out',
  'state.progress': 'Step {step} of {steps}',

  'error.801': 'The record was rejected as malformed. Capture the device again.',
  'error.802': 'The hardware hash is malformed or lacks manufacturer or serial. Capture the hash again.',
  'error.803': 'The record has neither a serial number nor a product key. Capture the device again.',
  'error.806': 'Already registered in this tenant. Counted as done; the group tag is reconciled.',
  'error.807': 'The device is not registered. Retry the import.',
  'error.808':
    'Registered to another tenant. Stop: the previous owner or reseller must deregister it; once they have, choose Register again. For its serial and hash: tick it in the queue, then Export Intune CSV.',
  'error.809': 'Its profile belongs to another tenant. Stop: the previous owner must release it.',
  'error.810':
    'Owned by another tenant. Stop: the previous owner or the reseller must deregister it; once they have, choose Register again.',
  'error.811': 'Registration owned by another tenant. Stop: the previous owner must release it.',
  'error.812': 'No hardware hash on record for this product key. Capture the full hash and import again.',
  'error.813': 'Several records match this device. Remove the duplicates in Intune, then retry.',
  'error.814': 'The device is already registered in Microsoft Entra ID. Check the device record in Intune.',
  'error.ZtdDeviceDuplicated': 'The same hash was twice in one batch. Remove the duplicate and retry.',
  'error.StorageError': 'The service had a temporary storage problem. Retry later.',
  'code.Timeout':
    'Intune did not finish in time. Retry; if it keeps happening, check the service health in the admin centre.',
  'code.ProfileAssignmentFailed':
    'Intune could not assign a deployment profile. Check the profile and the group for this group tag, then retry.',
  'error.unknown': 'Unknown error. Note the code and name and retry; if it returns, contact support.',
  'error.label': 'Error {code} {name}',

  'detail.title': 'Device {serial}',
  'detail.summary': 'Summary',
  'detail.events': 'History',
  'detail.at': 'Time',
  'detail.change': 'Change',
  'detail.sameState': '{state} (no change)',
  'detail.message': 'What happened',
  'detail.requestIds': 'Graph request ids',
  'detail.noEvents': 'No events yet.',
  'detail.hash': 'Hardware hash',
  'detail.hashValid': 'Valid',
  'detail.checksum': 'Checksum matches',
  'detail.padded': 'Padded',
  'detail.length': 'Length (base64 characters)',
  'detail.macs': 'MAC addresses',
  'detail.tpm': 'TPM endorsement key',
  'detail.uuid': 'SMBIOS UUID',
  'detail.pkid': 'Product key ID',
  'detail.productKey': 'Windows product ID',
  'detail.importId': 'Import id',
  'detail.registrationId': 'Windows Autopilot device id',
  'detail.profile': 'Deployment profile status',
  'detail.source': 'Source',
  'detail.capturedAt': 'Captured',
  'detail.stateSince': 'In this state since',
  'detail.actions': 'Actions',
  'detail.reregister': 'Register again',
  'detail.loading': 'Loading the device…',
  'source.this-device': 'This device',
  'source.file': 'File',
  'source.drop-folder': 'Drop folder',
  'source.typed': 'Typed',

  'groupTag.label': 'Group tag',
  'groupTag.help':
    'Letters of any language, digits, spaces and signs, but no comma or double quote, and no = + - @ first; at most 512 characters.',
  'groupTag.tenant': 'In use in the tenant',
  'groupTag.recent': 'Recent',
  'groupTag.makeDefault': 'Use for this session',
  'groupTag.default': 'Session default: {tag}',
  'groupTag.noDefault': 'No session default',

  'settings.title': 'Settings',
  'settings.tenantId': 'Tenant ID',
  'settings.clientId': 'Application (client) ID',
  'settings.cloud': 'Cloud',
  'settings.apiVersion': 'Graph API version',
  'settings.authMode': 'Sign-in method',
  'settings.certificatePath': 'Certificate file',
  'settings.defaultGroupTag': 'Default group tag',
  'settings.batchSize': 'Devices per import batch (1–500)',
  'settings.dropFolder': 'Drop folder',
  'settings.waitFor': 'Follow each device until',
  'settings.locked': 'Locked by your administrator: ask them to change it',
  'settings.save': 'Save settings',
  'settings.saved': 'Settings saved.',
  'support.title': 'Support',
  'support.help':
    'Saves a zip of the logs and the queue for your admin or Microsoft support. No tokens, secrets or full hardware hashes are in it.',
  'support.save': 'Save diagnostics',
  'support.savedTo': 'Diagnostics saved to {path}.',
  'support.downloaded': 'Diagnostics downloaded as {name}.',
  'settings.loading': 'Loading settings…',
  'cloud.global': 'Global (commercial)',
  'cloud.usgov': 'US Government (GCC High)',
  'cloud.usgovdod': 'US Government (DoD)',
  'cloud.china': 'China (21Vianet)',
  'waitFor.imported': 'imported',
  'waitFor.registered': 'registered as a Windows Autopilot device',
  'waitFor.assigned': 'the deployment profile is assigned',
  'authMode.browser': 'Browser sign-in',
  'authMode.device-code': 'Device code (sign in on another device)',
  'authMode.certificate': 'Certificate (app only)',

  'auth.title': 'Sign-in',
  'auth.state.training': 'Training mode: no sign-in needed.',
  'auth.state.signed-out': 'Not signed in.',
  'auth.state.signing-in': 'Signing in…',
  'auth.state.signed-in': 'Signed in.',
  'auth.state.error': 'Sign-in failed.',
  'auth.signedInAs': 'Signed in as {user} (tenant {tenant})',
  'auth.signIn': 'Sign in',
  'auth.signOut': 'Sign out',
  'auth.deviceCodeTitle': 'Device code',
  'auth.deviceCodeHelp': 'On a phone or another computer, open {uri} and enter this code:',
  'auth.expires': 'The code expires at {time}.',

  'notify.title': 'Autopilot Station',
  'notify.batchFinished': 'Batch finished: {message}',
  'notify.attention': 'A device needs attention: {message}',
  'notify.dismiss': 'Dismiss',
  'notify.batchDoneOne': 'Batch finished: 1 device processed.',
  'notify.batchDone': 'Batch finished: {count} devices processed.',
  'notify.deviceError': '{serial} needs attention: {advice}',
  'code.ImportRecordLost':
    "Intune lost this device's import record twice and the device is not registered. Retry later; if it happens again, send the request ids to your admin.",
  'flag.group-tag-unconfirmed':
    'The group tag was changed, but Intune did not show the new tag in time. Check it in the admin centre.',
  'flag.group-tag-unchecked':
    'Registered here, but the device could not be found to check its group tag. Check it in the admin centre.',
  // Real tenants and the remote simulated tenant: codes worded from their params.
  'code.GRAPH_PAGING_LOOP':
    'Microsoft Graph kept sending pages the station had already read, so it stopped the listing[ after {pages} pages]. The station tries again later; if it lasts, send the request id to support.',
  'code.REMOTE_TENANT_URL_INVALID':
    '"{url}" is not the https:// address of a simulated tenant. Copy the address the trainer\'s "autopilot-station sim" printed, e.g. https://trainer-pc:8443.',
  'code.REMOTE_TENANT_NOT_SHARED':
    'The simulated tenant at {url} does not share its connection. Start it with "autopilot-station sim" on the trainer\'s computer.',
  'code.REMOTE_TENANT_CA_UNTRUSTED':
    "The simulated tenant at {url} presented a certificate the given CA file does not vouch for ({reason}). Use the sim-ca.pem that simulator wrote, and the host name it was started with; behind a TLS-inspecting proxy, the proxy's root certificate.",
  'code.REMOTE_TENANT_UNREACHABLE':
    'The station could not reach the simulated tenant at {url} ({reason}). Check that it runs, listens on the network and that the firewall lets the port through.',
  'code.REMOTE_TENANT_ADDRESS_MISMATCH':
    'The simulated tenant at {url} calls itself {expected}. Use {expected} as the tenant URL.',
  'code.REMOTE_TENANT_CA_UNREADABLE':
    "The CA file {path} cannot be read or is not a PEM certificate. Copy the simulator's sim-ca.pem to this computer and give its path.",
  'code.RETRY_ALREADY_QUEUED': 'Already waiting in the queue: Retry has nothing to do.',
  'code.RETRY_IMPORTING':
    'Being imported now; if it is still importing[ in {minutes} min], Retry asks the tenant about it at once.',
  'code.RETRY_WAITING': 'In Intune: the station is waiting for its registration or profile. Nothing to retry.',
  'code.RETRY_ALREADY_DONE': 'Already registered: nothing to retry.',
  'code.RETRY_OWNED_ELSEWHERE':
    'Registered to another tenant[ (error {errorCode})]: retrying cannot help until the previous owner or reseller deregisters it.',
  'code.RETRY_STILL_INVALID':
    'Not valid[ ({finding})], and checking the same serial and hash again gives the same answer. Capture the hash again on the device (or fix the file and import it again), then remove this one.',
  'code.ACTION_SAME_HASH_REFUSED':
    "Intune refused this device's hash[ (error {errorCode})][ ({errorName})]: sending the same hash again gets the same answer. Capture the hash again on the device (or replace the file), queue it, then remove this one.",
  'code.REREGISTER_NOT_SENT': 'Not sent yet: Register again is for devices that were already sent.',
  'code.ACTION_IN_FLIGHT': 'Being imported right now: wait for the answer.',
  'code.ACTION_DEVICE_GONE': 'No longer in the queue.',
  'code.MOVE_ALREADY_SENT': 'Already sent to this tenant: it stays here.',
  'code.MOVE_ALREADY_THERE': "The other tenant's queue already has this device.",
  'code.MOVE_NOT_FOUND': 'No longer in the queue.',
  'code.MOVE_UNKNOWN_TENANT': 'The station has no queue for that tenant[ ({tenant})]. Use that tenant once first.',
  'code.MOVE_SAME_TENANT': "These devices are already in this tenant's queue.",
  'code.AUTH_SIGN_IN_TIMEOUT': 'The sign-in was not finished in time. Press Sign in to start again.',
  'code.TENANT_CHANGED': "The tenant changed; the new tenant's queue takes over.",
  'action.checking': 'Asked the tenant about {count} importing devices now.',
  'action.skipped': '{count} not changed:',
  'station.stopped':
    'The station stopped answering. This page reconnects by itself when it is back; if the station was started again and this page stays here, open the address it printed.',
  'station.newAddress':
    'The station restarted: each start has a new session. Open the address it printed in its window or terminal, in this browser; this page then reconnects by itself.',
  'station.back': 'The station is back.',
  'auth.cancel': 'Cancel sign-in',
  'queue.retry.help':
    'Retry: sends a failed or timed-out device again; a device already imported waits again instead of being sent twice.',
  'code.REREGISTER_ASK_OTHER_TENANT':
    'This device is registered to another tenant. Register it again only once the previous owner or the reseller has deregistered it: until then Intune refuses it again (808). Send it again?',
  'code.REREGISTER_ASK_REGISTERED':
    'This device is already in Autopilot in this tenant: Intune answers 806 unless it was deleted there. Send it again?',
  'detail.reregister.help':
    'Register again: imports a device that was already sent once more, as a new import (for example after it was deleted in Intune).',
  'tenants.move': 'Move to another tenant…',
  'tenants.moveConfirm.one':
    "Move {count} device that was not sent yet to the queue of {tenant}? It leaves this tenant's queue.",
  'tenants.moveConfirm.other':
    "Move {count} devices that were not sent yet to the queue of {tenant}? They leave this tenant's queue.",
  'tenants.moveStay.one': '{count} selected device was sent to this tenant already and stays here.',
  'tenants.moveStay.other': '{count} selected devices were sent to this tenant already and stay here.',
  'tenants.moveNone':
    'None of the selected devices can move: they were sent to this tenant already, and their history stays with it.',
  'tenants.moved.one': '{count} device moved to {tenant}.',
  'tenants.moved.other': '{count} devices moved to {tenant}.',
  'tenants.training': 'Training',

  // The files technicians bring (codes with their params)
  'code.CSV_PKID_ONLY':
    "This row has a Windows Product ID (PKID) but no hardware hash. Intune's import needs the hash (PKID uploads work only through Partner Center): capture the hash with Get-WindowsAutopilotInfo or OA3Tool.",
  'code.CSV_TUPLE_ONLY':
    "This row has a manufacturer, model and serial but no hardware hash. Intune's import needs the hash (tuple uploads work only through Partner Center): capture the hash with Get-WindowsAutopilotInfo or OA3Tool.",
  'code.CSV_NO_HASH':
    'This row has no hardware hash: Get-WindowsAutopilotInfo was probably not run as administrator. Run it again as administrator.',
  'code.CSV_FORMULA':
    'A value in this row starts with = + - or @, which spreadsheets run as a formula. The row was refused.',
  'code.FILE_OTHER_EXPORT':
    'This file is not a hash file the station can read. Capture the hashes with Get-WindowsAutopilotInfo or OA3Tool, or export the ConfigMgr Autopilot report as CSV.',
  'code.FILE_OTHER_EXPORT.configmgr-report':
    'A ConfigMgr "Windows Autopilot device information" report with no device rows. Run the report for a collection that holds the devices, then export it again as CSV.',
  'code.FILE_OTHER_EXPORT.configmgr-report-xml':
    'A ConfigMgr "Windows Autopilot device information" report exported as XML. Export it again as "CSV (comma delimited)".',
  'code.FILE_OTHER_EXPORT.intune-autopilot-export':
    "The Intune admin centre's export of registered Autopilot devices: it has no hardware hashes. Capture the hashes on the devices (Get-WindowsAutopilotInfo or OA3Tool).",
  'code.FILE_OTHER_EXPORT.intune-devices-export':
    'An Intune export of managed devices: it has no hardware hashes. Capture the hashes on the devices (Get-WindowsAutopilotInfo or OA3Tool).',
  'code.FILE_OTHER_EXPORT.corporate-identifiers':
    'A list of corporate device identifiers (manufacturer, model, serial), not for Autopilot: it has no hardware hashes. Capture the hashes on the devices.',
  'code.FILE_OTHER_EXPORT.serial-list':
    "A list of serial numbers without hardware hashes. Autopilot needs each device's hash: capture it with Get-WindowsAutopilotInfo or OA3Tool.",
  'code.FILE_OTHER_EXPORT.web-page':
    'A web page (HTML or MHTML), perhaps a report saved from the browser. Export the report as CSV, or pick the file the OEM tool wrote.',
  'code.FILE_BINARY.excel-workbook':
    'An Excel workbook (.xlsx), not a CSV. In Excel use Save As → "CSV (Comma delimited)" (a ConfigMgr report: export it as CSV).',
  'code.FILE_BINARY.office-document':
    'An old Excel (.xls) or Word document, not a CSV. Save it as "CSV (Comma delimited)" first.',
  'code.FILE_BINARY.pdf':
    'A PDF (a printed report?), not a hash file. Export the report as CSV, or pick the OA3.xml or CSV the OEM tool wrote.',
  'code.SERIAL_SPREADSHEET_DAMAGE':
    'The serial[ "{serial}"] is the hash\'s serial[ "{hashSerial}"] as a spreadsheet changed it (the file was opened and saved in Excel). Use the hash\'s serial.',
  'code.SERIAL_WIDTH_FOLDED':
    'The serial[ "{typed}"] was typed in full-width characters: it is read as[ "{serial}"], the characters on the label.',
  'code.SERIAL_NOT_ON_LABEL':
    'The serial[ "{serial}"] has characters that are not on a serial label.[ The hash says "{hashSerial}": use the hash\'s serial, or scan the label.]',
  'code.SERIAL_VIRTUAL_MACHINE':
    'A virtual machine: its own serial[ "{serial}"] is registered exactly as it reports it.',
  'code.VALUE_FORMULA':
    'This value starts with = + - @, a tab or a line break, which spreadsheets run as a formula: it is not a serial or a user name. Scan the label or type it again.',
  'code.LICENCE_KEY_DROPPED':
    'A Windows licence key (25 characters) was found and dropped: licence keys are never stored or sent. The product key ID (PKID) is used instead.',
  'code.MANUFACTURER_MISMATCH':
    'The manufacturer in the file[ ("{file}")] differs from the one in the hash[ ("{hash}")]: check that the row belongs to this hash.',
  'code.MODEL_MISMATCH':
    'The model in the file[ ("{file}")] differs from the one in the hash[ ("{hash}")]: check that the row belongs to this hash.',
  'code.EXPORT_FIELD_NOT_ANSI':
    'Devices[ ({count})] have a group tag or user the Intune CSV cannot carry[ ({value})]: the CSV was not written, so no tag changes on the way. Import them with the station, or tick only the others and export.',
  'code.EXPORT_FORMULA_FIELD':
    'Devices[ ({count})] have a serial, tag or user starting with = + - @: the Intune CSV was not written. Remove them from the queue, capture them again, then export.',
  'code.PRODUCT_KEY_SPREADSHEET_DAMAGE':
    'A spreadsheet turned the Windows Product ID into a number[ ("{value}")]: the hash\'s own product key ID is used instead, or none (the hash is enough to register the device).',
  'import.ownTags': 'rows with their own group tag: {count}',
  'import.ownUsers': 'rows with their own assigned user: {count}',
  'import.overrideTag': 'Use this tag for every row (replace the tags the files carry)',
  'import.useHashSerial': "Use the hash's serial ({serial})",
  'import.alsoIn': 'The same device as in {file}[ (line {line})]: sent once.',
  'import.duplicateOf': 'The same device as line {line}: read once.',
  'import.duplicates': 'repeated rows read once: {count}',
  'import.flaggedKept': 'Kept for you to check (same serial as a queued device, another hash): {count}.',
  'import.refusedKept': 'Refused rows kept in the queue as invalid: {count}.',
  'import.nothingToQueue':
    'No device in these files can be queued: the rows below say why. Correct the file, then choose it again.',
  // The connection check and sign-in advice by code
  'check.title': 'Check connection',
  'check.help':
    'Checks this bench, the tenant and its app registration without changing anything in the tenant: network, clock, tenant, sign-in method, permission, Intune licence and the Graph features the station uses.',
  'check.run': 'Check connection',
  'check.running': 'Checking… (a sign-in may be asked for)',
  'check.summary.ok': 'Everything is ready for importing.',
  'check.summary.warning': 'Imports can work; read the warnings.',
  'check.summary.failed': 'Imports will fail until the failed checks are fixed.',
  'check.status.ok': 'OK',
  'check.status.warning': 'Warning',
  'check.status.failed': 'Failed',
  'check.status.not-checked': 'Not checked',
  'check.id.authority': 'Sign-in service reachable',
  'check.id.graph': 'Microsoft Graph reachable',
  'check.id.clock': 'Bench clock',
  'check.id.tenant': 'Tenant in this cloud',
  'check.id.sign-in': 'App registration and sign-in method',
  'check.id.permission': 'Graph permission',
  'check.id.intune': 'Intune licence and read access',
  'check.id.features': 'Optional Graph features',
  'check.seen': 'Seen: {seen}',
  'check.requests': 'Requests sent: {signIn} to the sign-in service, {graph} to Graph ({writes} writes).',
  'check.fallbacks': 'Fallbacks the station will use: {fallbacks}',
  'code.CHECK_REACH_OK': '{host} answers (DNS, TCP and TLS) in {ms} ms[ ({via})].',
  'code.CHECK_DNS_FAILED': 'This bench cannot resolve {host} ({reason}).',
  'code.CHECK_DNS_FAILED.action':
    "Check the bench's DNS server and network connection; ask the network team whether the name is blocked, or whether the bench must use a proxy.",
  'code.CHECK_TCP_FAILED': 'This bench cannot open a connection to {host}:{port} ({reason}).',
  'code.CHECK_TCP_FAILED.action':
    'A firewall blocks the connection: ask the network team to allow HTTPS (443) from this bench to this host, or to name the proxy the bench must use (HTTPS_PROXY for the command line and browser mode; the Windows proxy settings for the app).',
  'code.CHECK_TLS_INTERCEPTED':
    'The certificate shown for {host} is not trusted ({reason}); it was issued by "{issuer}". A proxy that inspects TLS is the likely cause.',
  'code.CHECK_TLS_INTERCEPTED.action':
    "Ask the network team to exempt {host} from TLS inspection, or make the proxy's root certificate trusted: the Windows app trusts the Windows certificate store (deploy the root with Intune or Group Policy); the command line and browser mode also trust the CA file in settings (caFile).",
  'code.CHECK_TLS_FAILED': 'The TLS handshake with {host} failed ({reason}).',
  'code.CHECK_TLS_FAILED.action':
    'A proxy or firewall may be interfering with HTTPS to this host: ask the network team.',
  'code.CHECK_PROXY_AUTH': 'The proxy[ {proxy}] wants credentials[ to reach {host}][ ({reason})].',
  'code.CHECK_PROXY_AUTH.action':
    "Command line and browser mode: put the proxy account in the proxy address (HTTPS_PROXY=http://user:password@proxy:port; percent-encode special characters). The Windows app signs in to the proxy with the bench user's Windows account: ask the network team to allow it.",
  'code.CHECK_PROXY_FAILED': 'The proxy[ {proxy}] did not open a connection[ to {host}][ ({reason})].',
  'code.CHECK_PROXY_FAILED.action':
    'Check the proxy address (HTTPS_PROXY, or the Windows proxy settings for the app) and ask the network team whether the proxy allows this host; NO_PROXY lists the hosts to reach without it.',
  'code.NETWORK_PROXY_INVALID':
    'A proxy variable[ ({variable})] is not a proxy URL such as http://proxy.contoso.com:3128.',
  'code.NETWORK_PROXY_INVALID.action':
    "Set it to the proxy's http:// address (with user:password@ before the host if the proxy asks for a sign-in), or remove it to connect directly.",
  'code.NETWORK_CA_FILE_UNREADABLE': 'The CA file[ {path}] cannot be used[ ({reason})].',
  'code.NETWORK_CA_FILE_UNREADABLE.action':
    "Give the path of a PEM file (it starts with -----BEGIN CERTIFICATE-----), e.g. your TLS-inspecting proxy's root certificate exported as Base-64 .cer, or clear the setting.",
  'check.network.electron':
    'Network: the Windows proxy settings and certificate store. Sign-in {authority}; Graph {graph}.',
  'check.network.node':
    'Network: proxy from HTTPS_PROXY / NO_PROXY, system certificate store and the CA file. Sign-in {authority}; Graph {graph}.',
  'check.route.direct': 'direct (no proxy)',
  'check.route.proxy': 'through the proxy {proxy}',
  'code.CHECK_CLOCK_OK': 'The bench clock agrees with the services ({skewS} s apart).',
  'code.CHECK_CLOCK_SKEW':
    'The bench clock differs from {source} by {skewS} s: sign-in tokens are refused when it is off by minutes.',
  'code.CHECK_CLOCK_SKEW.action':
    'Let the bench set its time automatically (Settings > Time & language > Date & time, or w32tm /resync) and check the time zone.',
  'code.CHECK_CLOCK_UNKNOWN': 'No service answered with its time, so the bench clock was not compared.',
  'code.CHECK_TENANT_OK': 'The tenant {tenant} exists in this cloud (id {tenantId}).',
  'code.CHECK_TENANT_NOT_FOUND': 'The tenant {tenant} does not exist in the {cloud} cloud.',
  'code.CHECK_TENANT_NOT_FOUND.action':
    'Check the tenant id or domain and the cloud in settings: a US Government or China tenant does not exist in Global.',
  'code.CHECK_TENANT_OTHER_CLOUD': 'The tenant {tenant} belongs to the {otherCloud} cloud, not to {cloud}.',
  'code.CHECK_TENANT_OTHER_CLOUD.action': 'Choose the {otherCloud} cloud in settings and sign in again.',
  'code.CHECK_TENANT_UNREADABLE': "The tenant's sign-in metadata could not be read ({reason}).",
  'code.CHECK_TENANT_UNREADABLE.action':
    'Check the network between this bench and the sign-in service, then check again.',
  'code.CHECK_SIGN_IN_OK':
    'The app registration accepts this sign-in method ({method}) and issued a token for tenant {tenantId}.',
  'code.CHECK_PERMISSION_OK': 'The token carries {permission} ({kind}).',
  'code.CHECK_PERMISSION_MISSING': 'The token does not carry {permission} ({kind}); it has: {granted}.',
  'code.CHECK_PERMISSION_MISSING.action':
    'An administrator adds {permission} to the station\'s app registration (Entra admin centre > App registrations > API permissions) and presses "Grant admin consent". Delegated sign-in also needs an Intune role that may manage Autopilot devices.',
  'code.CHECK_PERMISSION_READ_ONLY':
    'The token may read Autopilot devices but not import them: {permission} ({kind}) is missing.',
  'code.CHECK_PERMISSION_READ_ONLY.action':
    'An administrator adds {permission} (not only the Read permission) and presses "Grant admin consent".',
  'code.CHECK_PERMISSION_UNREADABLE':
    'The token could not be read, so its permissions were not checked; the Intune read still tells.',
  'code.CHECK_INTUNE_OK': 'The tenant has Intune and this sign-in can read its Autopilot devices.',
  'code.CHECK_FEATURES_OK':
    'Every optional Graph feature the station uses answers ($select, $filter on imported identities, contains on serials).',
  'code.CHECK_FEATURES_FALLBACK':
    'These optional Graph features did not answer on this tenant: {failed}. The station uses its fallbacks.',
  'code.CHECK_FEATURES_FALLBACK.action': 'Nothing to do: imports work with the fallbacks, with a few more requests.',
  'code.CHECK_NOT_CHECKED': 'Not checked: "{after}" must pass first.',
  'code.CHECK_FAILED':
    'The connection check of this tenant failed before the first import[ ({code})]. Open Sign-in and settings, press Check connection to see which step failed and what to do.',
  'code.CHECK_FAILED.action':
    'Open Settings, press "Check connection" and fix what it shows; the devices wait in the queue.',
  'code.AUTH_NOT_MEMBER': 'This account is not a member of this tenant[ ({tenant})].',
  'code.AUTH_NOT_MEMBER.action':
    'Sign in with an account of this tenant, or ask its administrator to invite your account as a guest (Entra admin centre > Users > Invite external user).',
  'code.AUTH_CONDITIONAL_ACCESS': 'A Conditional Access policy of the tenant blocked this sign-in[ (AADSTS{aadsts})].',
  'code.AUTH_CONDITIONAL_ACCESS.action':
    'Use browser sign-in or certificate sign-in instead of device code, or ask the administrator to allow this sign-in method for the station.',
  'code.AUTH_REDIRECT_URI':
    "The app registration has no redirect URI for the station's browser sign-in[ (AADSTS{aadsts})].",
  'code.AUTH_REDIRECT_URI.action':
    'Ask the administrator to add the redirect URI {redirectUri} under "Mobile and desktop applications" in the app registration\'s Authentication page.',
  'code.AUTH_PUBLIC_CLIENT':
    'The app registration does not accept sign-in from a desktop app[ (AADSTS{aadsts})]: it is set up as a web app or public client flows are off.',
  'code.AUTH_PUBLIC_CLIENT.action':
    'Ask the administrator to register {redirectUri} under "Mobile and desktop applications" (not "Web") and to set "Allow public client flows" to Yes.',
  'code.AUTH_CONSENT_MISSING':
    'The app registration has not been granted the permission[ {permission}] (admin consent missing).',
  'code.AUTH_CONSENT_MISSING.action':
    'Ask an administrator to grant admin consent for {permission} (Entra admin centre > App registrations > API permissions > Grant admin consent).',
  'code.AUTH_WRONG_TENANT':
    'This account signed in to another tenant[ ({actual})], not to the configured tenant[ ({expected})]. The station signed out.',
  'code.AUTH_WRONG_TENANT.action':
    'Sign in with an account of {expected} (or one invited to it as a guest), or correct the tenant in settings.',
  'code.AUTH_TENANT_REQUIRED': 'Sign-in needs the tenant: its id (GUID) or a verified domain.',
  'code.AUTH_TENANT_REQUIRED.action': 'Enter the tenant id or domain (contoso.onmicrosoft.com) in settings.',
  'code.AUTH_TENANT_NOT_FOUND': 'The tenant[ {tenant}] was not found in this cloud[ ({cloud})].',
  'code.AUTH_TENANT_NOT_FOUND.action':
    'Check the tenant id and the cloud in settings (a US Government or China tenant does not exist in Global).',
  'code.AUTH_APP_NOT_FOUND': "The station's app registration (client id) is not known in this tenant.",
  'code.AUTH_APP_NOT_FOUND.action':
    'Check the client id in settings, or ask an administrator to register the app in this tenant.',
  'code.AUTH_FAILED': 'The sign-in failed.',
  'code.AUTH_FAILED.action': 'Try again; if it keeps failing, give the code shown to your administrator.',
  'code.GRAPH_NO_INTUNE_LICENCE':
    'This tenant has no active Microsoft Intune licence, so Windows Autopilot is not available.',
  'code.GRAPH_NO_INTUNE_LICENCE.action':
    'Check that you signed in to the right tenant; otherwise ask the administrator to assign an Intune licence (Microsoft 365 admin centre > Billing > Licences).',
  'code.GRAPH_PERMISSION_MISSING':
    'The account or app lacks the Microsoft Graph permission DeviceManagementServiceConfig.ReadWrite.All.',
  'code.GRAPH_PERMISSION_MISSING.action':
    "Ask an administrator to grant it with admin consent to the station's app registration (and, for a technician's account, an Intune role), then sign in again.",
  'check.when': 'Checked {time}.',
  // The advice catalogue by code, plurals, capture confirmations, settings validation.
  'code.unknown': 'The station reported "{code}". Note the code and tell your admin if it happens again.',
  'code.HTTP': 'The station answered in an unexpected way. Reload the page; if it returns, restart the station.',
  'code.FILE_NOT_FOUND': 'The file was not found[ ({path})]. Check the path or choose the file again.',
  'code.FILE_UNREADABLE':
    'The file could not be read. Check that no other program has it open and that you may read it, then try again.',
  'code.FILE_TOO_LARGE':
    'The file is too large to be a hash file[ (over {limit})]. Choose the CSV or OA3.xml the OEM tool wrote.',
  'code.FILE_EMPTY': 'The file is empty. Capture the hash again.',
  'code.FILE_BINARY':
    'This is not a text file (it looks like a program, image or archive). Choose the CSV or OA3.xml file.',
  'code.FILE_BAD_ENCODING':
    'The characters in the file could not be read. Save it again as UTF-8 or UTF-16, or capture it again.',
  'code.FILE_UNKNOWN_FORMAT':
    'This is neither an Autopilot CSV nor an OA3.xml file. Choose the file Get-WindowsAutopilotInfo or the OEM tool wrote.',
  'code.FILE_WRONG_TYPE':
    '[{name}: ]not a hash file, so it was not read. Choose the OA3.xml OA3Tool writes or the CSV Get-WindowsAutopilotInfo writes[ (the station reads {accepted} files)].',
  'code.FILE_BAD_CONTENT': 'The content of the file cannot be used. Capture it again.',
  'code.FILE_TOO_MANY_ROWS':
    'The file has more rows than the station reads at once[ ({limit})]. Split it into smaller files.',
  'code.CSV_UNKNOWN_HEADER':
    'The first line is not the Autopilot CSV header (Device Serial Number, Windows Product ID, Hardware Hash…). Choose a file written by Get-WindowsAutopilotInfo.',
  'code.CSV_UNKNOWN_HEADER.other-columns':
    'This is not a hash file: its columns are {columns}. A hash file has Device Serial Number, Windows Product ID, Hardware Hash (then optionally Group Tag, Assigned User). Choose the file Get-WindowsAutopilotInfo or the OEM tool wrote.',
  'code.CSV_NO_ROWS': 'The CSV has a header but no devices.',
  'code.CSV_WRONG_COLUMNS':
    'This row does not have the columns of the header. Export the file again rather than editing it.',
  'code.CSV_CONTROL_CHARACTERS': 'This row contains invisible control characters. Export the file again.',
  'code.CSV_LINE_TOO_LONG': 'This row is far longer than a real device row: the file is damaged. Export it again.',
  'code.CSV_BAD_QUOTES': 'This row has unbalanced quotes. Export the file again; do not edit it in a spreadsheet.',
  'code.CSV_GROUP_TAG_TOO_LONG':
    'The group tag on this row[ (line {line})] is too long[: {length} characters]; Intune takes at most 512. Shorten it in the file and read the file again.',
  'code.CSV_GROUP_TAG_INVALID':
    "The group tag on this row[ (line {line})] has a comma, a double quote, a line break or a control character, or starts with = + - @, which Intune's CSV cannot carry. Fix it in the file and read the file again.",
  'code.CSV_BAD_VALUE':
    'A value in this row is not allowed (too long or with characters Intune refuses). Fix the row and read the file again.',
  'code.GROUP_TAG_TOO_LONG': 'A group tag can have at most 512 characters; this one is too long.',
  'code.GROUP_TAG_CONTROL_CHARACTER': 'A group tag cannot contain a line break, a tab or another control character.',
  'code.GROUP_TAG_FORMULA_START':
    'A group tag cannot start with = + - or @: spreadsheets run such a value as a formula.',
  'code.GROUP_TAG_COMMA': "A group tag cannot contain a comma ','.",
  'code.GROUP_TAG_DOUBLE_QUOTE': "A group tag cannot contain a double quote '\"'.",
  'code.GROUP_TAG_BROKEN_TEXT':
    'The group tag has a broken character (half of a pasted emoji or symbol). Type it again.',
  'code.UPN_TOO_LONG': 'A user name can have at most 256 characters; this one is too long.',
  'code.UPN_FORMULA_START':
    'A user name cannot start with = + - or @: spreadsheets run such a value as a formula. Remove the first character.',
  'code.UPN_SPACE': 'A user name cannot contain a space.',
  'code.UPN_COMMA': "A user name cannot contain a comma ','.",
  'code.UPN_DOUBLE_QUOTE': "A user name cannot contain a double quote '\"'.",
  'code.UPN_NO_AT': 'A user name has an @, like name@contoso.com; this one has none.',
  'code.UPN_SEVERAL_AT': 'A user name has one @, like name@contoso.com; this one has more.',
  'code.UPN_NO_DOMAIN_DOT': 'A user name ends in a domain with a dot, like @contoso.com.',
  'code.XML_DTD_REFUSED':
    'The XML declares a DTD, which the station refuses for safety. Use the OA3.xml that OA3Tool wrote.',
  'code.XML_MALFORMED': 'The XML is damaged and cannot be read. Run OA3Tool again.',
  'code.XML_NO_HARDWARE_HASH':
    'The XML has no HardwareHash element. Run OA3Tool with the hardware hash report turned on.',
  'code.XML_BAD_VALUE': 'A value in the XML is not allowed. Run OA3Tool again.',
  'code.PRODUCT_KEY_ID_MISMATCH':
    'The product key ID in the report differs from the one inside the hash: they may come from two OA3Tool runs. Check that both belong to this device.',
  'code.DEVICE_INVALID':
    'The station judged this device not valid. Open it to see the findings, then capture it again.',
  'code.DROP_FOLDER_NOT_SET': 'No drop folder is set. Choose the folder the OEM tool writes into in Settings.',
  'code.DROP_FOLDER_UNAVAILABLE':
    'The drop folder cannot be opened. Check that it exists and that its network share is connected.',
  'code.BAD_PATH': 'That path cannot be used. Choose the file again.',
  'code.GRAPH_THROTTLED':
    'Intune asked the station to slow down. Nothing to do: the station waits and continues by itself.',
  'code.GRAPH_UNAVAILABLE':
    'Intune is not answering right now. The station retries by itself; if it lasts, check the service health.',
  'code.GRAPH_NETWORK': "The station cannot reach Microsoft Graph. Check this bench's network, proxy and firewall.",
  'code.GRAPH_NOT_JSON':
    'Something other than Microsoft Graph answered[ ({host}, {contentType})]: a captive portal, proxy or web filter on this network. Complete the network sign-in page in a browser or ask IT to let Graph through; the station checks what Intune received and continues by itself.',
  'code.GRAPH_CLIENT_CLOSED':
    'The station stopped talking to Microsoft Graph (time limit reached or closing). The device stays in the queue and is followed next time.',
  'code.GROUP_TAG_KEPT':
    'Already registered here with another group tag. The tag queued here was not applied, so the device keeps its deployment profile. To change it, import again with "Use this tag for every row" (--override-group-tag) or change it in the admin centre.',
  'code.GROUP_TAG_CHANGED':
    'Already registered here; its group tag was changed to the one queued, as asked. Its deployment profile follows the new tag.',
  'code.GRAPH_SIGN_IN_EXPIRED': 'The sign-in has expired. Sign in again in Settings.',
  'code.GRAPH_WRONG_CLOUD': 'The tenant is in another cloud than the one chosen. Check the cloud in Settings.',
  'code.GRAPH_NOT_FOUND': 'Intune no longer has this record. Retry the import.',
  'code.GRAPH_BAD_REQUEST': 'Intune refused the request as malformed. Note the code and tell your admin.',
  'code.GRAPH_FAILED':
    'Intune answered with an unexpected error. Retry; if it returns, save diagnostics and send them to your admin.',
  'code.AUTH_PERSONAL_ACCOUNT':
    'Personal Microsoft accounts cannot register devices. Sign in with your work or school account.',
  'code.AUTH_CERTIFICATE_REJECTED':
    'The tenant refused the certificate. Check that it is uploaded to the app registration and has not expired.',
  'code.AUTH_DEVICE_CODE_EXPIRED':
    'The sign-in code expired or was declined. Press Sign in again and enter the new code in time.',
  'code.AUTH_DECLINED': 'The sign-in was cancelled or declined. Press Sign in to try again.',
  'code.AUTH_NETWORK':
    'The station could not reach the sign-in service[ ({authorityHost})][ within {seconds} seconds].',
  'code.AUTH_NETWORK.action': "Check this bench's network, proxy and firewall, then sign in again.",
  'code.AUTH_SERVICE_UNAVAILABLE':
    'The Microsoft sign-in service is not answering. Nothing to do: the station tries again in a minute.',
  'code.AUTH_CERTIFICATE_INVALID':
    'The certificate is missing or cannot be read. Choose the certificate file (PEM or PFX) in Settings.',
  'code.AUTH_CLIENT_ID_REQUIRED':
    "Sign-in needs the client ID of your organisation's app registration. Enter it in Settings.",
  'code.AUTH_AUTHORITY_REFUSED': 'The sign-in address is not one the station trusts. Check the cloud in Settings.',
  'code.SIGN_IN_FAILED': 'The sign-in failed. Try again.',
  'code.INPUT_INVALID': 'A value was refused as not valid. Check the values you entered and try again.',
  'code.INPUT_NOT_JSON': 'The station could not read the request. Reload the page.',
  'code.CALL_UNKNOWN': 'This window and the station are different versions. Restart the station.',
  'code.NOT_AVAILABLE': 'This part of the station is not ready yet.',
  'code.INTERNAL': 'The station hit an unexpected problem. Save diagnostics in Settings and send them to your admin.',
  'code.SENDER_REFUSED': 'The station refused a request from an unknown window. Restart the station.',
  'code.ORIGIN_REFUSED': 'The station only answers the page it opened itself. Open the address the station printed.',
  'code.HOST_REFUSED': 'The station only answers the page it opened itself. Open the address the station printed.',
  'code.HOST_NOT_LOOPBACK': 'The station only answers on this computer. Open the address the station printed.',
  'code.SESSION_TOKEN_MISSING':
    'This page has no session of this station run (the station may have restarted). Open the address the station printed.',
  'code.BODY_TOO_LARGE': 'What was sent is too large. Send fewer files at once.',
  'code.METHOD_NOT_ALLOWED': 'The station does not know this request. Reload the page.',
  'code.NOT_FOUND': 'The station does not know this request. Reload the page.',
  'code.STATION_UNREACHABLE': 'The station is not answering. Check that it is still running, then reload this page.',
  'code.DEVICE_NOT_FOUND': 'That device is no longer in the queue.',
  'code.OFFLINE':
    'The station is not connected to a tenant, so a registered device cannot be changed. Sign in, then try again.',
  'code.QUEUE_DB_CORRUPT': 'The queue file is damaged. Do not delete it: save diagnostics and call your admin.',
  'code.QUEUE_DB_UNAVAILABLE':
    'The queue could not be opened; nothing was moved or deleted. Close any other copy of the station and start it again; if it persists, save diagnostics and call your admin.',
  'code.QUEUE_DB_TOO_NEW': 'The queue was written by a newer version of the station. Install that version again.',
  'code.SETTINGS_LOCKED': 'Your administrator set these settings; they cannot be changed here.',
  'code.TRAINING_UNAVAILABLE': 'The training tenant could not start. Restart the station.',
  'code.MACHINE_SETTINGS_INVALID':
    'The settings file your administrator deployed[ ({path})] is not valid[ at line {line}][, column {column}][: the setting "{setting}" is wrong], so it was ignored. Tell your admin which file and line.',
  'code.MACHINE_SETTINGS_UNREADABLE':
    'The settings file your administrator deployed[ ({path})] could not be read[ ({reason})], so it was ignored. Tell your admin which file.',
  'banner.machineSettingsLocked':
    'Every setting stays locked (this bench does not switch to settings you could change) until the admin fixes the file and the station restarts.',
  'settings.machineSettingsLocked':
    'Every setting below stays locked until your admin fixes the file and the station restarts.',
  'code.UnknownImportError':
    'Intune refused the device with an error the station does not know. Retry once; if it fails again, send the code to your admin.',
  'advice.done': 'Done',
  'advice.stop': 'Stop',
  'advice.fix': 'Capture again',
  'advice.fixFile': 'Fix the file',
  'advice.retry': 'Retry',
  'advice.signIn': 'Sign in',
  'advice.network': 'Fix the network',
  'error.labelDone': 'Intune {code} {name}',
  'error.labelStation': '{name}',
  'capture.confirmInvalid':
    'This device has problems (see Findings). Fix them and read it again, or keep it in the queue as invalid: it will not be sent until it is fixed.',
  'capture.keepInvalid': 'Keep it as invalid',
  'capture.invalidHint': 'This device has problems: it will be kept as invalid.',
  'capture.confirmNoTag':
    'No group tag: Intune will not give this device a profile that depends on a tag. Queue it without a tag?',
  'capture.queueNoTag': 'Queue without a tag',
  'capture.flagged':
    '{serial} is already in the queue with a different hardware hash. Both are kept and marked: remove the wrong one in the queue.',
  'capture.alreadyInQueue': 'This serial is already in the queue ({state}).',
  'capture.lastDevice': 'Last device: {serial}',
  'capture.next': 'Next device',
  'capture.dropFolderEmpty': 'The drop folder has no hash files yet.',
  'capture.dropFolderRead': 'Read {name} from the drop folder.',
  'import.notRead': 'Files not read',
  'import.notHashFile': '{name}: not a hash file, so it was not read. The station reads {accepted} files.',
  'import.fileTooBig': '{name}: larger than {limit}, so it was not read.',
  'import.readingFiles.one': 'Reading {count} file…',
  'import.readingFiles.other': 'Reading {count} files…',
  'import.queueGoodDevices.one': 'Queue {count} good device',
  'import.queueGoodDevices.other': 'Queue {count} good devices',
  'import.sentDevices.one': '{count} device sent to the queue',
  'import.sentDevices.other': '{count} devices sent to the queue',
  'queue.removed.one': '{count} device removed from the queue.',
  'queue.removed.other': '{count} devices removed from the queue.',
  'queue.requeued.one': '{count} device queued again.',
  'queue.requeued.other': '{count} devices queued again.',
  'queue.tagChanged.one': 'Group tag changed on {count} device.',
  'queue.tagChanged.other': 'Group tag changed on {count} devices.',
  'queue.nothingChanged':
    'None of the selected devices could be changed: an invalid device must be captured again, and a device being imported waits until Intune answers.',
  'queue.removeDevices.one': 'Remove {count} device from the queue? A device already registered stays in Intune.',
  'queue.removeDevices.other': 'Remove {count} devices from the queue? Devices already registered stay in Intune.',
  'queue.savedRows.one': '{name} saved ({count} device).',
  'queue.savedRows.other': '{name} saved ({count} devices).',
  'queue.leftOut': 'Left out: {reasons}.',
  'queue.leftOut.registered': '{count} already registered',
  'queue.leftOut.otherTenant': '{count} owned by another tenant',
  'queue.leftOut.invalid': '{count} invalid',
  'queue.leftOut.inFlight': '{count} being imported',
  'queue.nothingToExport': 'No device in the queue can still be uploaded, so no file was saved.',
  'queue.isEmpty': 'The queue is empty. Capture a device or import files to start.',
  'queue.devicesShown.one': '{shown} of {total} device',
  'queue.devicesShown.other': '{shown} of {total} devices',
  'notify.count': '{count} messages',
  'notify.dismissAll': 'Dismiss all',
  'notify.showAll': 'Show all',
  'notify.showLess': 'Show latest only',
  'notify.batchProcessed.one': 'Batch finished: {count} device processed.',
  'notify.batchProcessed.other': 'Batch finished: {count} devices processed.',
  'settings.tenantIdHelp':
    'A GUID (for example 72f988bf-86f1-41af-91ab-2d7cd011db47) or a verified domain of the tenant (for example contoso.onmicrosoft.com).',
  'settings.tenantIdInvalid':
    'Not a tenant ID. Enter a GUID (8-4-4-4-12 hexadecimal digits) or a verified domain such as contoso.onmicrosoft.com.',
  'settings.clientIdHelp': 'The Application (client) ID on the Overview page of the app registration: a GUID.',
  'settings.clientIdInvalid':
    'Not a client ID. It is a GUID of 8-4-4-4-12 hexadecimal digits, shown on the Overview page of the app registration.',
  'settings.batchSizeInvalid': 'Enter a whole number from 1 to 500.',
  'settings.fixFields': 'Fix the marked fields, then save.',
  'settings.tagHelp': 'The group tag new devices get when none is chosen.',
  'notify.batchEnded': 'Batch finished.',
  'notify.openQueue': 'open it in the queue.',
  'notify.attentionGeneric': 'A device needs attention: open the queue to see it.',
  'code.DEVICE_DIFFERENT_HASH':
    'A serial number was captured again with another hardware hash: both captures are kept and marked. Remove the wrong one, then retry the right one.',
  'notify.importWaiting.one': 'A device is waiting to be imported. {advice}',
  'notify.importWaiting.other': '{count} devices are waiting to be imported. {advice}',
  'import.sentTotal.one': '{count} device sent to the queue:',
  'import.sentTotal.other': '{count} devices sent to the queue:',
  'import.flagged.one': '{count} has the serial of a queued device with another hash: both are kept and marked.',
  'import.flagged.other': '{count} have the serial of a queued device with another hash: both are kept and marked.',
  'profile.unknown': 'Unknown',
  'profile.assignedInSync': 'Assigned',
  'profile.assignedOutOfSync': 'Assigned, not yet in sync',
  'profile.assignedUnkownSyncState': 'Assigned, sync state unknown',
  'profile.notAssigned': "Not assigned: no profile targets this device's group",
  'profile.pending': 'Pending',
  'profile.failed': 'Failed',
  'code.INPUT_INVALID.fields': 'Refused: {fields}.',
  'code.ETIMEDOUT': 'The connection timed out.',
  // Corporate identifiers
  'settings.registrationTargets': 'Register each captured device as',
  'settings.registrationTargets.onlyOne':
    'Cannot be cleared while it is the only one ticked: every device is registered as something. Tick the other one first, then clear this one.',
  'registrationTargets.autopilot': 'Windows Autopilot device (hardware hash)',
  'registrationTargets.corporate': 'Windows corporate identifier (manufacturer, model, serial)',
  'corporate.title': 'Corporate identifier',
  'corporate.identifier': 'Identifier',
  'corporate.short': 'Corp. ID',
  'corporate.state.not-requested': 'Not requested',
  'corporate.state.queued': 'Queued',
  'corporate.state.sending': 'Sending',
  'corporate.state.done': 'Added',
  'corporate.state.already-present': 'Already in Intune',
  'corporate.state.failed': 'Failed',
  'corporate.state.unavailable': 'Not possible',
  'corporate.requestIds': 'Request IDs',
  'code.CORP_MISSING_VALUES':
    'The hardware hash has no[ {missing}] value a corporate identifier needs, so this device cannot be added as a corporate identifier. Register it as an Autopilot device instead.',
  'code.CORP_VALUE_HAS_COMMA':
    "A firmware value[ ({fields})] contains a comma, which the admin centre's corporate identifier file cannot carry. The station still adds it through Graph; add this device there, not by file.",
  'code.CORP_VALUE_HAS_SEMICOLON':
    'A firmware value[ ({fields})] contains a semicolon, which a corporate identifier (manufacturer;model;serial) cannot carry. Register it as an Autopilot device instead.',
  'code.CORP_VALUE_NOT_WRITABLE':
    "A firmware value[ ({fields})] contains a quote or a line break, which the admin centre's file cannot carry.",
  'code.CORP_DUPLICATE': 'The same identifier[ ({identifier})] is already in this file.',
  'code.CORP_REFUSED':
    'Intune refused the corporate identifier[ {identifier}]. Check it in the admin centre (Devices > Enrollment > Corporate device identifiers) and tell your admin.',
  'code.CORP_NOT_IN_CLOUD':
    'This cloud does not offer corporate identifiers through Graph. Export the corporate identifier file and have your admin upload it.',
  'code.CORP_RETRIES_EXHAUSTED':
    'Intune did not answer[ after {attempts} attempts]. Retry later or export the corporate identifier file.',
  'queue.exportCorporate': 'Export corporate IDs',
  'corporate.field.manufacturer': 'manufacturer',
  'corporate.field.model': 'model',
  'corporate.field.serial': 'serial number',
  'code.PATH_NOT_ALLOWED':
    'In browser mode the station reads files only inside the drop folder[ ({allowed})], so the file[ "{path}"] was refused. Upload the file instead, or ask your admin to set the folder.',
  'settings.tenantUrl': 'Shared training tenant (optional)',
  'settings.tenantUrlHelp':
    'For a class: the https:// address that "autopilot-station sim" printed on the trainer\'s computer. Empty: the station\'s own training tenant.',
  'settings.caFile': 'Its CA file (sim-ca.pem)',
  'code.CHECK_CLOCK_UNKNOWN.action': 'Check reachability first.',
  'capture.moreInFile.one':
    'This file holds {count} more device. Capture shows the first one only: use Import files to queue every device of the file.',
  'capture.moreInFile.other':
    'This file holds {count} more devices. Capture shows the first one only: use Import files to queue every device of the file.',
  'event.captured': 'Captured',
  'event.capturedAgainOtherHash': 'Captured again with a different hardware hash',
  'event.queuedFrom': 'Queued from {where}',
  'event.capturedInvalid': 'Captured from {where} but not valid: {codes}',
  'event.capturedOtherHash': 'Captured from {where}; this serial is already in the queue with a different hash',
  'event.capturedAgain': 'Captured again ({where}); kept as one device',
  'event.refusedBeforeUpload': 'Refused before upload ({where}): {code}',
  'event.refusedAgain': 'Refused again ({where}); kept as one record',
  'event.importingBatch': 'Importing in a batch of {count}',
  'event.batchSent': 'Batch sent',
  'event.batchFoundBySerial': 'Batch found by serial in the imported list (its answer had been lost)',
  'event.importedWaiting': 'Imported; waiting for registration',
  'event.imported': 'Imported',
  'event.registeredWaitingProfile': 'Registered in Autopilot; waiting for a deployment profile',
  'event.registered': 'Registered in Autopilot',
  'event.profileAssigned': 'Deployment profile assigned ({profile}): ready to deploy',
  'event.profileFailed': 'Deployment profile assignment failed',
  'event.queuedAgain': 'Queued again by the technician',
  'event.queuedReregister': 'Queued to register again',
  'event.checkedAgain': 'Checked again and queued',
  'event.waitingAgain': 'Waiting again',
  'event.deadlineRenewed': "The station was not running when this stage's deadline passed; watching it again from now",
  'event.removed': 'Removed from the queue by the technician',
  'event.checkNow': 'The technician asked the station to check this import with the tenant now',
  'event.alreadyTagOk': 'Already registered in this tenant; group tag already correct',
  'event.alreadyTagFixed': 'Already registered in this tenant; Intune now shows the group tag "{tag}"',
  'event.alreadyTagChanging': 'Already registered in this tenant; changing its group tag from "{from}" to "{to}"',
  'event.alreadyTagUnconfirmed': 'Already registered in this tenant; the new group tag "{tag}" did not show in time',
  'event.timedOut': 'Timed out while {state}',
  'event.movedHere': 'Moved here from the queue of tenant {from} by the technician',
  'event.movedAway': 'Moved to the queue of tenant {to} by the technician',
  'event.corporateQueued': 'Corporate identifier queued: {identifier}',
  'event.corporateAdded': 'Corporate identifier added',
  'event.corporateAlready': 'Corporate identifier already in the tenant',
  'event.corporateQueuedAgain': 'Corporate identifier queued again',
  'event.recordFoundAgain': 'Its import record was not where it was; found again by serial',
  'event.notListedYet': 'Not in the registered list yet after the sync; looking again as the list catches up',
} as const;

export type MessageKey = keyof typeof en;
