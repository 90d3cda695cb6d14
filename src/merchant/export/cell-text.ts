// How a cell becomes text, for every format: money from its integer minor units with its
// currency's exponent (exact, never through a float), and text neutralised against formula
// injection (OWASP "CSV Injection"): a text cell that starts with = + - @, a tab or a carriage
// return is prefixed with a single quote, so a spreadsheet shows it as text and never runs it.
// Only text cells are touched: a number or an amount (-12.50 included) stays a number.

import { formatMinor } from '../../events/amount.ts';
import { isMoney, type Cell } from './export-kind.ts';

const FORMULA_START = /^[=+\-@\t\r]/;

export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** The cell as text: '' for null; money as an exact decimal in major units. */
export function cellText(cell: Cell): string {
  if (cell === null) return '';
  if (isMoney(cell)) return formatMinor(cell.minor, cell.exponent);
  if (typeof cell === 'number') return String(cell);
  return neutraliseFormula(cell);
}
