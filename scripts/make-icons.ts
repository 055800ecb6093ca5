import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

/**
 * Renders assets/icon.svg into assets/icon.png (512 px) and a multi-size assets/icon.ico.
 * Run again after changing the SVG: `npx tsx scripts/make-icons.ts` (needs Debian's chromium).
 * Small ICO entries are 32-bit BMPs (every Windows shell and NSIS read them), 256 px is PNG.
 */
const ICO_SIZES = [16, 20, 24, 32, 40, 48, 64, 128, 256];
const svg = readFileSync('assets/icon.svg', 'utf8');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const page = await browser.newPage();
const render = (size: number) =>
  page.evaluate(
    async ({ svg, size }) => {
      const img = new Image();
      img.src = `data:image/svg+xml;base64,${btoa(svg)}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = size;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0, size, size);
      const rgba = Array.from(ctx.getImageData(0, 0, size, size).data);
      return { rgba, png: canvas.toDataURL('image/png').split(',')[1]! };
    },
    { svg, size },
  );

const big = await render(512);
writeFileSync('assets/icon.png', Buffer.from(big.png, 'base64'));

const images: Buffer[] = [];
for (const size of ICO_SIZES) {
  const { rgba, png } = await render(size);
  images.push(size >= 256 ? Buffer.from(png, 'base64') : bmpEntry(size, rgba));
}
await browser.close();
writeFileSync('assets/icon.ico', ico(ICO_SIZES, images));
console.log(`assets/icon.png (512 px) and assets/icon.ico (${ICO_SIZES.join(', ')} px) written`);

/** A DIB as stored in an ICO: BITMAPINFOHEADER with doubled height, BGRA rows bottom-up, then the AND mask. */
function bmpEntry(size: number, rgba: number[]): Buffer {
  const maskRow = Math.ceil(size / 32) * 4;
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0);
  header.writeInt32LE(size, 4);
  header.writeInt32LE(size * 2, 8);
  header.writeUInt16LE(1, 12);
  header.writeUInt16LE(32, 14);
  header.writeUInt32LE(size * size * 4 + maskRow * size, 20);
  const pixels = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const src = (y * size + x) * 4;
      const dst = ((size - 1 - y) * size + x) * 4;
      pixels[dst] = rgba[src + 2]!;
      pixels[dst + 1] = rgba[src + 1]!;
      pixels[dst + 2] = rgba[src]!;
      pixels[dst + 3] = rgba[src + 3]!;
    }
  }
  // All zeros: the alpha channel decides transparency.
  const mask = Buffer.alloc(maskRow * size);
  return Buffer.concat([header, pixels, mask]);
}

function ico(sizes: number[], data: Buffer[]): Buffer {
  const head = Buffer.alloc(6 + 16 * sizes.length);
  head.writeUInt16LE(0, 0);
  head.writeUInt16LE(1, 2);
  head.writeUInt16LE(sizes.length, 4);
  let offset = head.length;
  sizes.forEach((size, i) => {
    const e = 6 + 16 * i;
    head.writeUInt8(size >= 256 ? 0 : size, e);
    head.writeUInt8(size >= 256 ? 0 : size, e + 1);
    head.writeUInt16LE(1, e + 4);
    head.writeUInt16LE(32, e + 6);
    head.writeUInt32LE(data[i]!.length, e + 8);
    head.writeUInt32LE(offset, e + 12);
    offset += data[i]!.length;
  });
  return Buffer.concat([head, ...data]);
}
