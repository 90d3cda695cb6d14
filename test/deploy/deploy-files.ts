// Test helpers for the deployment files (Dockerfile, deploy/): read them the way their tools
// do — YAML with merge keys as Compose reads it, the Dockerfile's stages and instructions, the
// metric names a PromQL expression selects, the names /metrics exports.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const repoPath = (p: string) => join(ROOT, p);
export const readText = (p: string) => readFileSync(repoPath(p), 'utf8');

/** Every document of a YAML file (merge keys `<<` resolved, as Compose and kubectl resolve them). */
export function readYamlDocs(p: string): unknown[] {
  return parseAllDocuments(readText(p), { merge: true }).map((d) => {
    if (d.errors.length) throw new Error(`${p}: ${d.errors.map((e) => e.message).join('; ')}`);
    return d.toJS({ maxAliasCount: -1 });
  }).filter((d) => d !== null);
}

export function readYaml(p: string): any {
  const docs = readYamlDocs(p);
  if (docs.length !== 1) throw new Error(`${p}: expected one YAML document, found ${docs.length}`);
  return docs[0];
}

export interface DockerInstruction { keyword: string; args: string; line: number }
export interface DockerStage { name: string | null; image: string; instructions: DockerInstruction[] }

/** The Dockerfile's stages: continuation lines joined, comments dropped, `${ARG}`s of FROM resolved from the global ARGs. */
export function parseDockerfile(text: string): DockerStage[] {
  const instructions: DockerInstruction[] = [];
  let pending: { text: string; line: number } | null = null;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    if (pending === null && (line.trim() === '' || line.trimStart().startsWith('#'))) return;
    if (pending !== null && line.trimStart().startsWith('#')) return; // comments inside a continued instruction
    const part = line.endsWith('\\') ? line.slice(0, -1) : line;
    pending = pending ? { text: `${pending.text} ${part.trim()}`, line: pending.line } : { text: part.trim(), line: i + 1 };
    if (!line.endsWith('\\')) {
      const [keyword, ...rest] = pending.text.split(/\s+/);
      instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line: pending.line });
      pending = null;
    }
  });
  const globalArgs = new Map<string, string>();
  const stages: DockerStage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`line ${ins.line}: FROM ${ins.args}`);
      const image = m[1].replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => globalArgs.get(a ?? b) ?? '');
      stages.push({ name: m[2] ?? null, image, instructions: [] });
    } else if (stages.length === 0) {
      if (ins.keyword !== 'ARG') throw new Error(`line ${ins.line}: ${ins.keyword} before the first FROM`);
      const [name, value = ''] = ins.args.split('=');
      globalArgs.set(name, value);
    } else {
      stages[stages.length - 1].instructions.push(ins);
    }
  }
  return stages;
}

/** The flags (`--from=build`) and the arguments of a COPY or ADD, shell or JSON form. */
export function copyArguments(args: string): { flags: Map<string, string>; sources: string[]; dest: string } {
  const flags = new Map<string, string>();
  let rest = args.trim();
  for (let m = /^--([\w-]+)(?:=(\S+))?\s+/.exec(rest); m; m = /^--([\w-]+)(?:=(\S+))?\s+/.exec(rest)) {
    flags.set(m[1], m[2] ?? '');
    rest = rest.slice(m[0].length);
  }
  const parts: string[] = rest.startsWith('[') ? JSON.parse(rest) : rest.split(/\s+/);
  return { flags, sources: parts.slice(0, -1), dest: parts[parts.length - 1] };
}

/** The JSON (exec) form of CMD, ENTRYPOINT or a HEALTHCHECK's CMD, as its argument list. */
export function execForm(args: string): string[] {
  const json = args.slice(args.indexOf('['));
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new Error(`not an exec form: ${args}`);
  return parsed;
}

const PROMQL_WORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan']);

/**
 * The metric names a PromQL expression selects. Strings, label matchers, ranges and label lists
 * are blanked first; a name followed by `(` is a function or an aggregation, not a metric.
 */
export function promqlMetricNames(expr: string): string[] {
  const s = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+\S+/g, ' ')
    .replace(/(?<![\w:])\d[\d.]*(?:e[+-]?\d+)?/gi, ' ');
  const names = new Set<string>();
  for (const m of s.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    if (PROMQL_WORDS.has(m[0].toLowerCase())) continue;
    if (s.slice(m.index! + m[0].length).trimStart().startsWith('(')) continue;
    names.add(m[0]);
  }
  return [...names];
}

/** The metric families of a Prometheus text exposition: name → type, from its `# TYPE` lines. */
export function metricFamilies(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) out.set(m[1], m[2]);
  return out;
}

/** Whether a family exports `name`: its own name, or a histogram's or summary's series. */
export function exports(families: Map<string, string>, name: string): boolean {
  if (families.has(name)) return true;
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (!m) return false;
  const type = families.get(m[1]);
  return type === 'histogram' || (type === 'summary' && m[2] !== 'bucket');
}

/** The anchors GitHub gives a Markdown file's headings. */
export function headingAnchors(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6}\s+(.+)$/gm)) {
    out.add(m[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-'));
  }
  return out;
}

/** An environment map as the program sees it: every value a string. */
export function envOf(record: Record<string, unknown> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(record ?? {}).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
}

/** Variables the program does not read but Node itself does. */
export const READ_BY_NODE = new Set(['NODE_OPTIONS']);
