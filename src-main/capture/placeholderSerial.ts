import { foldSerial } from '../contract/serialNumberRule.ts';

/**
 * Serial numbers that are not serial numbers: firmware defaults and empty fields. A device with one
 * of these needs a scanned or typed serial before it can be registered. A virtual machine's own
 * serial (VMware-56 4d …, Hyper-V's dashed digits, VirtualBox-…) is a real serial: Autopilot
 * registers it exactly as the firmware reports it.
 */
// Compared without case, spaces or punctuation: firmware writes "To Be Filled By O.E.M.", "To be filled by OEM", "TO BE
// FILLED BY O.E.M".
const PLACEHOLDERS = new Set(
  [
    '',
    '0',
    'none',
    'null',
    'nil',
    'n/a',
    'na',
    'default',
    'default string',
    'defaultstring',
    'to be filled by o.e.m.',
    'to be set by o.e.m.',
    'tbd by oem',
    'oem',
    'o.e.m.',
    'system serial number',
    'system serial',
    'chassis serial number',
    'chassis serial',
    'base board serial number',
    'baseboard serial number',
    'serial number',
    'serial',
    'serialnumber',
    'sn',
    'sn12345678',
    'not specified',
    'not applicable',
    'not available',
    'not set',
    'no asset tag',
    'asset tag',
    'asset-1234567890',
    'unknown',
    'unknow',
    'invalid',
    'empty',
    'filled by oem',
    'type1productconfigid',
    '1234567',
    '12345678',
    '123456789',
    '1234567890',
    '0123456789',
    'abcdefg',
    'abcdef',
  ].map(normalize),
);

function normalize(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Virtual machines' own serial formats, as their firmware reports them. */
const VM_SERIALS: readonly RegExp[] = [
  /^VMware-[0-9a-f]{2}( [0-9a-f]{2}){7}-[0-9a-f]{2}( [0-9a-f]{2}){7}$/i, // VMware Workstation/ESXi
  /^VMware-/i,
  /^\d{4}-\d{4}-\d{4}-\d{4}-\d{4}-\d{4}-\d{2}$/, // Hyper-V and Azure
  /^VirtualBox-[0-9a-f-]+$/i,
  /^Parallels-[0-9A-F]{2}( [0-9A-F]{2}){7}/i,
  /^ec2[0-9a-f]{5}-[0-9a-f]{4}-/i, // Amazon EC2
  /^GoogleCloud-[0-9A-F]+$/i,
];

/** Manufacturer/model pairs (hash records 16 and 17) that only virtual machines report. */
const VM_MAKERS = /^(vmware|innotek gmbh|qemu|xen|parallels|red hat|amazon ec2|google|nutanix|bochs)/i;
const HYPERV_MODEL = /^virtual machine$/i;

export type SerialProblem = 'placeholder' | 'virtual-machine';

/**
 * 'placeholder' for values that are not serials; 'virtual-machine' for a VM's own serial (a real
 * serial: the caller notes it and registers it as is); undefined for a plain serial.
 */
export function serialProblem(raw: string | null | undefined): SerialProblem | undefined {
  const s = (raw ?? '').trim();
  if (s === '-' || isPlaceholderWord(s)) return 'placeholder';
  // All zeros (with or without separators), or one character repeated (XXXXXXXX, 11111111).
  if (/^[0\s._:-]+$/.test(s)) return 'placeholder';
  if (s.length >= 4 && /^(.)\1+$/.test(s.replace(/[\s-]/g, ''))) return 'placeholder';
  if (VM_SERIALS.some((re) => re.test(s))) return 'virtual-machine';
  return undefined;
}

function isPlaceholderWord(s: string): boolean {
  return PLACEHOLDERS.has(normalize(s));
}

/** True for a serial the technician must replace (firmware default, empty). A VM's serial is not one. */
export function isPlaceholderSerial(raw: string | null | undefined): boolean {
  return serialProblem(raw) === 'placeholder';
}

/** True when the hash says the device is a virtual machine (its manufacturer or model). */
export function isVirtualMachine(manufacturer: string | undefined, model: string | undefined): boolean {
  return VM_MAKERS.test((manufacturer ?? '').trim()) || HYPERV_MODEL.test((model ?? '').trim());
}

/**
 * Serials compare without case, surrounding space or full width (ＰＦ１２３ is PF123): firmware, labels and IMEs
 * disagree on all three.
 */
export function sameSerial(a: string, b: string): boolean {
  return foldSerial(a).toUpperCase() === foldSerial(b).toUpperCase();
}
