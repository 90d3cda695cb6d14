// What text the contract accepts, before and inside an event:
// - the bounds of one event's JSON text (size, then nesting depth), checked before it is decoded,
//   so no input can make later steps (decoding, serialising metadata, dead-lettering) work without
//   bound or recurse past the stack;
// - the rule every string field follows, so that what is stored, what is hashed for dedupe and
//   what a restart rebuilds from the store can never differ.

import type { Rejection } from './contract.ts';

/** Longest JSON text of one event, in UTF-16 code units (a valid event is a few KB at most). */
export const MAX_EVENT_CHARS = 65_536;
/** Deepest nesting of arrays and objects in one event (the event object itself is level 1). */
export const MAX_NESTING = 16;

/** The JSON structure characters: the same codes as UTF-16 units and as UTF-8 bytes. */
export const JSON_CHAR = { quote: 34, comma: 44, backslash: 92, openBracket: 91, closeBracket: 93, openBrace: 123, closeBrace: 125 } as const;
const { quote: C_QUOTE, backslash: C_BACKSLASH, openBracket: C_OPEN_BRACKET, closeBracket: C_CLOSE_BRACKET,
  openBrace: C_OPEN_BRACE, closeBrace: C_CLOSE_BRACE } = JSON_CHAR;

/**
 * The deepest nesting in a JSON text, stopping early once it passes `limit`. Brackets inside
 * strings do not count; the text need not be valid JSON (JSON.parse judges that afterwards).
 */
export function nestingDepth(text: string, limit = MAX_NESTING): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === C_QUOTE) {
      // Skip the string: to the next quote not escaped by a backslash.
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === C_BACKSLASH) i++;
        else if (s === C_QUOTE) break;
      }
    } else if (c === C_OPEN_BRACE || c === C_OPEN_BRACKET) {
      if (++depth > max && (max = depth) > limit) return max;
    } else if (c === C_CLOSE_BRACE || c === C_CLOSE_BRACKET) depth--;
  }
  return max;
}

/** Whether `text` holds more than `limit` opening brackets in all (native searches, no loop per character). */
function opensMoreThan(text: string, limit: number): boolean {
  let n = 0;
  for (const open of ['{', '[']) {
    for (let i = text.indexOf(open); i >= 0; i = text.indexOf(open, i + 1)) if (++n > limit) return true;
  }
  return false;
}

/** Decodes one event's JSON text within the bounds, or says which bound or rule it breaks. */
export function decodeEventText(text: string): { ok: true; value: unknown } | Rejection {
  if (text.length > MAX_EVENT_CHARS) {
    return {
      ok: false, code: 'event_too_large',
      message: `The event is ${text.length} characters of JSON; at most ${MAX_EVENT_CHARS} are accepted.`,
    };
  }
  // Nesting cannot pass the bound with fewer brackets than that (the common case): no scan then.
  if (opensMoreThan(text, MAX_NESTING) && nestingDepth(text) > MAX_NESTING) {
    return {
      ok: false, code: 'too_deeply_nested',
      message: `The event nests arrays or objects more than ${MAX_NESTING} levels deep.`,
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, code: 'invalid_json', message: 'The event is not valid JSON.' };
  }
}

// A lone surrogate (not Unicode: UTF-8 cannot hold it, so a store would turn it into U+FFFD),
// NUL (PostgreSQL and many tools cannot hold it) or U+FEFF (a byte-order mark, dropped at the
// start of a string when read back from the analytics store).
const SUSPECT = /[\0\uFEFF\uD800-\uDFFF]/;
const FORBIDDEN = /[\0\uFEFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The rule of every string field: well-formed Unicode without NUL or U+FEFF. Refused rather
 * than repaired, so an id is never silently changed into another one.
 */
export function isContractText(s: string): boolean {
  // One character class first (fast); pairs of surrogates (emoji…) then take the exact test.
  return !SUSPECT.test(s) || !FORBIDDEN.test(s);
}
