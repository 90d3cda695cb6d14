// The PDF statement of an export: its period's totals per currency, in the merchant's language
// (fr, en) and time zone — not its rows (the CSV and XLSX carry those). A small hand-written PDF
// 1.4: A4 pages of text in the standard Helvetica fonts (WinAnsiEncoding: the accents of French),
// content streams left uncompressed (a few KB), one cross-reference table. Amounts are written
// from their integer minor units with the currency's exponent and the language's separators.

import { DateTime } from 'luxon';
import { formatMinor } from '../../events/amount.ts';
import { isMoney, type ExportLang, type Label, type Money, type TotalsBlock } from './export-kind.ts';

export interface StatementMeta {
  title: Label;
  merchantId: string;
  from: number;
  to: number;
  timeZone: string;
  rows: number;
  generatedAt: number;
}

const WORDS = {
  statement: { en: 'Statement', fr: 'Relevé' },
  merchant: { en: 'Merchant', fr: 'Marchand' },
  period: { en: 'Period', fr: 'Période' },
  zone: { en: 'Time zone', fr: 'Fuseau horaire' },
  rows: { en: 'Rows in the period', fr: 'Lignes sur la période' },
  generated: { en: 'Generated', fr: 'Généré le' },
  currency: { en: 'Currency', fr: 'Devise' },
  none: { en: 'Nothing in this period.', fr: 'Rien sur cette période.' },
  to: { en: 'to', fr: 'au' },
  from: { en: 'from', fr: 'du' },
} as const;

/** An amount as the language writes it: 1,234,567.89 (en) or 1 234 567,89 (fr). */
export function formatAmount(m: Money, lang: ExportLang): string {
  const text = formatMinor(m.minor, m.exponent);
  const negative = text.startsWith('-');
  const [whole, fraction] = (negative ? text.slice(1) : text).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, lang === 'fr' ? ' ' : ',');
  return `${negative ? '-' : ''}${grouped}${fraction === undefined ? '' : (lang === 'fr' ? ',' : '.') + fraction}`;
}

export function formatCount(n: number, lang: ExportLang): string {
  return formatAmount({ minor: BigInt(n), exponent: 0 }, lang);
}

interface Line { text: string; bold?: boolean; size?: number; x?: number; valueX?: number; value?: string; space?: number }

function lines(meta: StatementMeta, blocks: TotalsBlock[], lang: ExportLang): Line[] {
  const when = (ms: number) => DateTime.fromMillis(ms, { zone: meta.timeZone }).setLocale(lang).toFormat(lang === 'fr' ? 'dd/MM/yyyy HH:mm' : 'yyyy-MM-dd HH:mm');
  const out: Line[] = [
    { text: `${WORDS.statement[lang]} — ${meta.title[lang]}`, bold: true, size: 18, space: 28 },
    { text: `${WORDS.merchant[lang]}: ${meta.merchantId}` },
    { text: `${WORDS.period[lang]}: ${WORDS.from[lang]} ${when(meta.from)} ${WORDS.to[lang]} ${when(meta.to)}` },
    { text: `${WORDS.zone[lang]}: ${meta.timeZone}` },
    { text: `${WORDS.rows[lang]}: ${formatCount(meta.rows, lang)}` },
    { text: `${WORDS.generated[lang]}: ${when(meta.generatedAt)}`, space: 30 },
  ];
  if (blocks.length === 0) out.push({ text: WORDS.none[lang] });
  for (const b of blocks) {
    out.push({ text: `${WORDS.currency[lang]}: ${b.currency}`, bold: true, size: 13, space: 20 });
    for (const l of b.lines) {
      out.push({ text: l.label[lang], x: 70, value: isMoney(l.value) ? `${formatAmount(l.value, lang)} ${b.currency}` : formatCount(l.value, lang), valueX: 340 });
    }
    out.push({ text: '', space: 12 });
  }
  return out;
}

/** WinAnsiEncoding (cp1252) of the characters it has; others become '?'. */
const CP1252_EXTRA: Record<string, number> = {
  '€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87, 'ˆ': 0x88, '‰': 0x89, 'Š': 0x8a, '‹': 0x8b, 'Œ': 0x8c,
  'Ž': 0x8e, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97, '˜': 0x98, '™': 0x99, 'š': 0x9a, '›': 0x9b,
  'œ': 0x9c, 'ž': 0x9e, 'Ÿ': 0x9f, '−': 0x2d,
};

export function pdfString(text: string): string {
  let out = '(';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    const byte = code >= 0x20 && code < 0x7f ? code : code >= 0xa0 && code <= 0xff ? code : CP1252_EXTRA[ch] ?? 0x3f;
    if (byte === 0x28 || byte === 0x29 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte >= 0x80) out += `\\${byte.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return `${out})`;
}

const PAGE_W = 595;
const PAGE_H = 842;
const MARGIN = 56;

function pageContents(all: Line[]): string[] {
  const pages: string[] = [];
  let ops: string[] = [];
  let y = PAGE_H - MARGIN;
  for (const l of all) {
    const size = l.size ?? 10.5;
    const step = l.space ?? size + 6;
    if (y - step < MARGIN) {
      pages.push(ops.join('\n'));
      ops = [];
      y = PAGE_H - MARGIN;
    }
    if (l.text !== '') ops.push(`BT /${l.bold ? 'F2' : 'F1'} ${size} Tf ${l.x ?? MARGIN} ${y} Td ${pdfString(l.text)} Tj ET`);
    if (l.value !== undefined) ops.push(`BT /F2 ${size} Tf ${l.valueX} ${y} Td ${pdfString(l.value)} Tj ET`);
    y -= step;
  }
  pages.push(ops.join('\n'));
  return pages;
}

export function statementPdf(meta: StatementMeta, blocks: TotalsBlock[], lang: ExportLang): Buffer {
  const contents = pageContents(lines(meta, blocks, lang));
  const objects: string[] = [];
  const pageIds = contents.map((_, i) => 5 + i * 2);
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pageIds.length} >>`;
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>';
  objects[4] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>';
  contents.forEach((content, i) => {
    objects[pageIds[i]] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_W} ${PAGE_H}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${pageIds[i] + 1} 0 R >>`;
    objects[pageIds[i] + 1] = `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`;
  });
  const infoId = objects.length;
  objects[infoId] = `<< /Title ${pdfString(`${WORDS.statement[lang]} — ${meta.title[lang]}`)} /Producer (molam-analytics) >>`;
  let body = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = Buffer.byteLength(body, 'latin1');
    body += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xref = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) body += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length} /Root 1 0 R /Info ${infoId} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}
