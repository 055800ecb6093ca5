import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { CaptureSourceKind, CapturedDevice, FileReadError } from '../contract/types.ts';
import { checkDevice } from './checkDevice.ts';
import { decodeHardwareHash } from './decodeHardwareHash.ts';
import { finding } from './hashFindings.ts';
import { MAX_DEVICES_PER_CALL, MAX_HASH_CHARS } from '../contract/limits.ts';
import { MAX_XML_CHARS, readError } from './fileReadCodes.ts';

export interface Oa3ReadOptions {
  path: string;
  sourceKind: CaptureSourceKind;
  /** The serial given for the device (label, scan, this machine). OA3.xml has no serial of its own. */
  serialNumber?: string;
}

export interface Oa3ReadResult {
  devices: CapturedDevice[];
  errors: FileReadError[];
}

// DTDs are how billion-laughs and external-entity (XXE) files work; OA3Tool never writes one.
const DTD = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)/i;
const MAX_DEPTH = 16;

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // ProductKeyID is a 13-digit number with meaningful leading zeros: keep every value as text.
  parseTagValue: false,
  trimValues: true,
  htmlEntities: false,
  maxNestedTags: MAX_DEPTH * 2,
});

/** Reads an OA3Tool report (text already decoded): one device per `HardwareHash` element, normally one. */
export function readOa3Xml(text: string, options: Oa3ReadOptions): Oa3ReadResult {
  const errors: FileReadError[] = [];
  const devices: CapturedDevice[] = [];
  if (text.length > MAX_XML_CHARS) {
    errors.push(
      readError(
        'FILE_TOO_LARGE',
        `The XML file is ${(text.length / 1024 / 1024).toFixed(1)} million characters long; an OA3.xml is a few KB. The station reads XML files up to 1 MB.`,
        undefined,
        { limit: '1 MB' },
      ),
    );
    return { devices, errors };
  }
  const dtd = DTD.exec(text);
  if (dtd) {
    errors.push(
      readError(
        'XML_DTD_REFUSED',
        `The XML file declares a ${dtd[1]!.toUpperCase()} (line ${lineOf(text, dtd.index)}). OA3Tool never writes one, and such files can attack the computer that reads them. The file was refused.`,
        lineOf(text, dtd.index),
      ),
    );
    return { devices, errors };
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    errors.push(
      readError(
        'XML_MALFORMED',
        `The XML file is damaged (line ${valid.err.line}: ${valid.err.msg.slice(0, 160)}). Copy it again or run OA3Tool again.`,
        valid.err.line,
      ),
    );
    return { devices, errors };
  }
  let tree: unknown;
  try {
    tree = parser.parse(text);
  } catch (err) {
    errors.push(
      readError(
        'XML_MALFORMED',
        `The XML file cannot be read: ${err instanceof Error ? err.message.slice(0, 160) : 'parse error'}.`,
      ),
    );
    return { devices, errors };
  }

  const keys = findHashOwners(tree, 0);
  if (keys.length === 0) {
    errors.push(
      readError(
        'XML_NO_HARDWARE_HASH',
        'The XML file has no <HardwareHash>: it is not an OA3Tool report (OA3.xml). Pick the OA3.xml that OA3Tool /Report wrote.',
      ),
    );
    return { devices, errors };
  }
  const hashLines = elementLines(text, 'HardwareHash');
  if (keys.length > MAX_DEVICES_PER_CALL) {
    errors.push(
      readError(
        'FILE_TOO_MANY_ROWS',
        `The XML file holds ${keys.length} hardware hashes; the station reads at most ${MAX_DEVICES_PER_CALL} from one file.`,
        undefined,
        { limit: MAX_DEVICES_PER_CALL },
      ),
    );
    return { devices, errors };
  }
  keys.forEach((key, i) => {
    const line = hashLines[i];
    const hash = text1(key.HardwareHash);
    if (hash.length > MAX_HASH_CHARS) {
      errors.push(
        readError(
          'XML_BAD_VALUE',
          `The <HardwareHash> is ${hash.length} characters long, far more than a real hash (about 4,000).`,
          line,
        ),
      );
      return;
    }
    if (!hash) {
      errors.push(
        readError(
          'XML_NO_HARDWARE_HASH',
          'The <HardwareHash> element is empty: OA3Tool could not read the hash. Run "oa3tool /Report" again as administrator with a complete OA3.cfg.',
          line,
        ),
      );
      return;
    }
    const decoded = decodeHardwareHash(hash);
    const fromHash = decoded.serialNumber?.trim();
    // <ProductKeyID> (the 13-digit PKID, also record 24 of the hash) is the device's product key.
    // <ProductKey> is the 25-character licence key: read only to say it was left behind, never kept.
    const productKeyId = text1(key.ProductKeyID);
    const pkid = /^\d{1,20}$/.test(productKeyId)
      ? productKeyId
      : /^\d{1,20}$/.test(decoded.productKeyId?.trim() ?? '')
        ? decoded.productKeyId!.trim()
        : undefined;
    const device = checkDevice({
      serialNumber: options.serialNumber ?? fromHash ?? '',
      hardwareHash: hash,
      ...(pkid ? { productKey: pkid } : {}),
      source: { kind: options.sourceKind, path: options.path, ...(line ? { line } : {}), format: 'oa3-xml' },
    });
    if (text1(key.ProductKey)) {
      device.findings.push(
        finding(
          'LICENCE_KEY_DROPPED',
          'info',
          "The report's <ProductKey> (the Windows licence key) was left in the file: licence keys are never stored or sent. The product key ID (PKID) is used instead.",
          { field: 'ProductKey' },
        ),
      );
    }
    if (
      productKeyId &&
      device.hash.productKeyId &&
      productKeyId.replace(/^0+/, '') !== device.hash.productKeyId.trim().replace(/^0+/, '')
    ) {
      device.findings.push(
        finding(
          'PRODUCT_KEY_ID_MISMATCH',
          'warning',
          `The report's ProductKeyID (${productKeyId}) differs from the one inside the hash (${device.hash.productKeyId}): the hash may come from another OA3Tool run.`,
        ),
      );
    }
    devices.push(device);
  });
  return { devices, errors };
}

type Node = Record<string, unknown>;

/** Elements that hold a HardwareHash child, wherever the report nests them (normally the root <Key>). */
function findHashOwners(value: unknown, depth: number): Node[] {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((v) => findHashOwners(v, depth + 1));
  const node = value as Node;
  if (Object.hasOwn(node, 'HardwareHash')) {
    const h = node.HardwareHash;
    // Two <HardwareHash> in one element: one device each, sharing the key.
    if (Array.isArray(h)) return h.map((one) => ({ ...node, HardwareHash: one }));
    return [node];
  }
  return Object.values(node).flatMap((v) => findHashOwners(v, depth + 1));
}

function text1(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return text1(value[0]);
  return '';
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function elementLines(text: string, name: string): number[] {
  const lines: number[] = [];
  const re = new RegExp(`<${name}[\\s>/]`, 'g');
  for (let m = re.exec(text); m; m = re.exec(text)) lines.push(lineOf(text, m.index));
  return lines;
}
