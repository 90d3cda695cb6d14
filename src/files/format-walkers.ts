// Structure walkers for the image types evidence accepts, fed the file's bytes chunk by chunk in
// constant memory: each follows the format's own framing to the byte where the image ends, so
// sniff.ts can tell a whole image from a cut one, and from one with something appended.
//
// PNG: chunk after chunk (length, type, data, CRC) from byte 8 until IEND.
// JPEG: segment after segment (marker, length) from SOI; after SOS, the entropy-coded data up to
// the next marker (FF00 is a stuffed byte, FFD0-FFD7 restart markers); EOI ends the image. A
// JPEG may be followed by another whole JPEG — the Multi-Picture Format of phone cameras (HDR
// gain maps, depth maps) appends its images after the first one's EOI — and by zero padding;
// anything else after the last EOI is trailing data.

export interface Walker {
  feed(chunk: Uint8Array, offset: number): void;
  /** Offset just past the image's end, once reached (-1 before). */
  readonly endsAt: number;
  /** Why the bytes are not of the format, once seen (null while they are). */
  readonly malformed: string | null;
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function pngWalker(): Walker {
  let next = PNG_SIGNATURE.length; // offset of the next chunk's header
  const header = Buffer.alloc(8);
  let filled = 0;
  let endsAt = -1;
  let malformed: string | null = null;
  return {
    feed(chunk, offset) {
      let i = 0;
      while (i < chunk.length && endsAt < 0 && !malformed) {
        const at = offset + i;
        if (at < next) { i += Math.min(chunk.length - i, next - at); continue; }
        header[filled++] = chunk[i++];
        if (filled < 8) continue;
        filled = 0;
        const length = header.readUInt32BE(0);
        const type = header.toString('latin1', 4, 8);
        if (!/^[A-Za-z]{4}$/.test(type) || length > 0x7fffffff) { malformed = `not a PNG chunk at byte ${next}`; return; }
        if (next === PNG_SIGNATURE.length && type !== 'IHDR') { malformed = 'the first PNG chunk is not IHDR'; return; }
        next += 12 + length;
        if (type === 'IEND') endsAt = next;
      }
    },
    get endsAt() { return endsAt; },
    get malformed() { return malformed; },
  };
}

type JpegState = 'soi' | 'marker' | 'length' | 'skip' | 'entropy' | 'after-eoi';

export function jpegWalker(): Walker {
  let state: JpegState = 'soi';
  let soiSeen = 0; // bytes of FF D8 seen
  let sawFF = false; // in 'marker'/'entropy': the previous byte was FF
  let marker = 0;
  let lengthBytes: number[] = [];
  let skipLeft = 0;
  let endsAt = -1;
  let stopped = false;
  let malformed: string | null = null;

  function onMarker(m: number, at: number): void {
    if (m === 0xd9) { endsAt = at + 1; state = 'after-eoi'; return; }
    if (m === 0xd8) { malformed = `a second SOI at byte ${at - 1} inside an image`; return; }
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd7)) { state = 'marker'; return; } // standalone markers
    marker = m;
    lengthBytes = [];
    state = 'length';
  }

  return {
    feed(chunk, offset) {
      if (stopped) return;
      for (let i = 0; i < chunk.length && !malformed; i++) {
        const b = chunk[i];
        const at = offset + i;
        switch (state) {
          case 'soi':
            if (b !== (soiSeen === 0 ? 0xff : 0xd8)) { malformed = 'no JPEG SOI'; break; }
            if (++soiSeen === 2) { soiSeen = 0; state = 'marker'; sawFF = false; }
            break;
          case 'after-eoi':
            if (soiSeen === 0 && b === 0x00) { endsAt = at + 1; break; } // zero padding belongs to the image
            if (b === (soiSeen === 0 ? 0xff : 0xd8)) {
              if (++soiSeen === 2) { soiSeen = 0; endsAt = -1; state = 'marker'; sawFF = false; } // another image follows
              break;
            }
            stopped = true; // endsAt stays at the last image's end: what follows is trailing data
            return;
          case 'marker':
            if (!sawFF) {
              if (b !== 0xff) { malformed = `no JPEG marker at byte ${at}`; break; }
              sawFF = true;
            } else if (b !== 0xff) { // FF FF… is fill before a marker
              sawFF = false;
              onMarker(b, at);
            }
            break;
          case 'length':
            lengthBytes.push(b);
            if (lengthBytes.length === 2) {
              const length = (lengthBytes[0] << 8) | lengthBytes[1];
              if (length < 2) { malformed = `a JPEG segment of length ${length} at byte ${at - 1}`; break; }
              skipLeft = length - 2;
              state = skipLeft > 0 ? 'skip' : marker === 0xda ? 'entropy' : 'marker';
            }
            break;
          case 'skip': {
            const n = Math.min(skipLeft, chunk.length - i);
            skipLeft -= n;
            i += n - 1;
            if (skipLeft === 0) { state = marker === 0xda ? 'entropy' : 'marker'; sawFF = false; }
            break;
          }
          case 'entropy':
            if (!sawFF) { if (b === 0xff) sawFF = true; break; }
            if (b === 0xff) break; // fill
            sawFF = false;
            if (b === 0x00 || (b >= 0xd0 && b <= 0xd7)) break; // stuffed byte, restart marker
            onMarker(b, at);
            break;
        }
      }
    },
    get endsAt() { return endsAt; },
    get malformed() { return malformed; },
  };
}
