// An append-only table of ISO codes whose 1-based position is the key stored in every row:
// the lookups both the country and the currency tables need.

export interface CodeTable {
  codes: readonly string[];
  /** Stored key of a code (uppercase, exact); 0 if unknown. */
  keyOf(code: string): number;
  /** Code of a stored key; '' for 0 or an unknown key. */
  codeOf(key: number): string;
}

export function createCodeTable(codes: readonly string[]): CodeTable {
  const frozen = Object.freeze([...codes]);
  const keys = new Map<string, number>(frozen.map((code, i) => [code, i + 1]));
  return {
    codes: frozen,
    keyOf: (code) => keys.get(code) ?? 0,
    codeOf: (key) => frozen[key - 1] ?? '',
  };
}
