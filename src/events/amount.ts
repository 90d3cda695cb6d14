// Money on the wire → integer minor units, exactly. An amount is a decimal string or a JSON
// number; it must fit the currency's ISO 4217 exponent without rounding (150.5 XOF is an
// error, 150.00 XOF is 150). Also formats minor units back to a decimal string.

export interface AmountError {
  code: 'invalid_amount' | 'amount_precision';
  message: string;
}

/** Largest accepted amount, in major units: 10^15. */
export const MAX_MAJOR_UNITS = 1_000_000_000_000_000;
/** 10^15 has 16 digits: an integer part with more significant digits is too large. */
const MAX_INT_DIGITS = 16;
/** Integers of up to 15 digits are exact in a double: the fast path needs no BigInt parse. */
const SAFE_DIGITS = 15;

const POW10: bigint[] = [];
for (let e = 0n; e <= 30n; e++) POW10.push(10n ** e);

const DIGIT_0 = 48;
const DIGIT_9 = 57;
const DOT = 46;
const MINUS = 45;

function invalid(field: string, why: string): AmountError {
  return { code: 'invalid_amount', message: `${field} ${why}.` };
}

/**
 * Parses `value` into integer minor units of a currency with `exponent` decimals.
 * `field` only names the field in error messages.
 */
/** Largest amount storable in minor units (int64): binds below 10^15 only for 4-decimal currencies. */
export const MAX_MINOR_UNITS = 2n ** 63n - 1n;

export function parseAmount(value: unknown, exponent: number, field = 'amount'): bigint | AmountError {
  const minor = typeof value === 'string' ? parseDecimal(value, exponent, field)
    : typeof value === 'number' ? parseNumber(value, exponent, field)
      : invalid(field, 'must be a decimal string or a number');
  if (typeof minor === 'bigint' && minor > MAX_MINOR_UNITS) return invalid(field, 'is too large to store exactly');
  return minor;
}

function parseNumber(value: number, exponent: number, field: string): bigint | AmountError {
  if (!Number.isFinite(value)) return invalid(field, 'must be a finite number');
  if (value < 0) return invalid(field, 'must not be negative');
  if (value > MAX_MAJOR_UNITS) return invalid(field, 'must not exceed 10^15');
  // Integers up to 10^15 are exact doubles; -0 becomes 0n.
  if (Number.isInteger(value)) return BigInt(value) * POW10[exponent];
  // The shortest decimal that round-trips: 19.99 stays "19.99", 0.1 + 0.2 does not.
  return parseDecimal(plainDecimal(String(value)), exponent, field);
}

/** Rewrites JavaScript's e-notation ("1.5e-7") as a plain decimal ("0.00000015"). */
function plainDecimal(text: string): string {
  const e = text.indexOf('e');
  if (e < 0) return text;
  const mantissa = text.slice(0, e);
  const shift = Number(text.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  const point = (dot < 0 ? mantissa.length : dot) + shift;
  if (point <= 0) return '0.' + '0'.repeat(-point) + digits;
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
  return digits.slice(0, point) + '.' + digits.slice(point);
}

function isDigit(c: number): boolean {
  return c >= DIGIT_0 && c <= DIGIT_9;
}

/** Grammar: digits [ "." digits ]. No sign, exponent, spaces or leading ".". */
function parseDecimal(s: string, exponent: number, field: string): bigint | AmountError {
  const n = s.length;
  if (n > 0 && s.charCodeAt(0) === MINUS) return invalid(field, 'must not be negative');
  let i = 0;
  while (i < n && isDigit(s.charCodeAt(i))) i++;
  const intEnd = i;
  let fracStart = i;
  if (i < n && s.charCodeAt(i) === DOT) {
    fracStart = ++i;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    if (i === fracStart) i = -1; // "150." has no fraction digits
  }
  if (intEnd === 0 || i !== n) {
    return invalid(field, 'must be a decimal number such as "150" or "150.50"');
  }
  const fracDigits = n - fracStart;
  // Decimals beyond the exponent are fine only if they are zeros: never round.
  for (let k = fracStart + exponent; k < n; k++) {
    if (s.charCodeAt(k) !== DIGIT_0) {
      return {
        code: 'amount_precision',
        message: `${field} has more decimals than the currency allows (${exponent}).`,
      };
    }
  }
  let lead = 0;
  while (lead < intEnd - 1 && s.charCodeAt(lead) === DIGIT_0) lead++;
  const intDigits = intEnd - lead;
  if (intDigits > MAX_INT_DIGITS) return invalid(field, 'must not exceed 10^15');
  const take = fracDigits < exponent ? fracDigits : exponent;
  if (intDigits + exponent <= SAFE_DIGITS) {
    let v = 0;
    for (let k = lead; k < intEnd; k++) v = v * 10 + (s.charCodeAt(k) - DIGIT_0);
    for (let k = fracStart; k < fracStart + take; k++) v = v * 10 + (s.charCodeAt(k) - DIGIT_0);
    for (let k = take; k < exponent; k++) v *= 10;
    return BigInt(v);
  }
  const minor =
    BigInt(s.slice(lead, intEnd) + s.slice(fracStart, fracStart + take)) * POW10[exponent - take];
  if (minor > POW10[15] * POW10[exponent]) return invalid(field, 'must not exceed 10^15');
  return minor;
}

/** Exact decimal text of `minor` units: (15050n, 2) → "150.50", (-5n, 2) → "-0.05". */
export function formatMinor(minor: bigint, exponent: number): string {
  const negative = minor < 0n;
  let digits = (negative ? -minor : minor).toString();
  const sign = negative ? '-' : '';
  if (exponent <= 0) return sign + digits;
  if (digits.length <= exponent) digits = digits.padStart(exponent + 1, '0');
  const cut = digits.length - exponent;
  return sign + digits.slice(0, cut) + '.' + digits.slice(cut);
}
