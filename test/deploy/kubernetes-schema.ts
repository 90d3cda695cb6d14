// Test helper: checks Kubernetes objects against the Kubernetes API's schemas, offline, with the
// schemas kubernetes-models ships (generated from Kubernetes' OpenAPI definitions, compiled with
// Ajv). Those schemas, like the API's, allow unknown fields, which the API server refuses
// (kubectl's strict field validation) and a misspelt field would slip through; so the same
// objects are also type-checked by TypeScript as object literals of kubernetes-models' types,
// whose excess-property check names every field that does not exist.

import ts from 'typescript';
import { repoPath } from './deploy-files.ts';

interface K8sObject { apiVersion: string; kind: string; metadata?: { name?: string } }

/** The kubernetes-models module of an apiVersion and kind. */
function modelModule(apiVersion: string, kind: string): string {
  if (apiVersion.startsWith('monitoring.coreos.com/')) return `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`;
  return `kubernetes-models/${apiVersion}/${kind}`;
}

/** The schema errors of one object (empty when valid). */
export async function schemaErrors(obj: K8sObject): Promise<string[]> {
  let mod: Record<string, new (data: unknown) => { validate(): void }>;
  try {
    mod = await import(modelModule(obj.apiVersion, obj.kind));
  } catch {
    return [`no schema for ${obj.apiVersion} ${obj.kind}`];
  }
  try {
    new mod[obj.kind](obj).validate();
    return [];
  } catch (err) {
    return [(err as Error).message];
  }
}

/** The fields TypeScript finds wrong (unknown, or of the wrong type) in each object, by `label`. */
export function typeErrors(objects: Array<{ label: string; obj: K8sObject }>): string[] {
  const file = repoPath('test/deploy/manifests.generated.ts'); // never written: served from memory below
  const lines = objects.flatMap(({ obj }, i) => [
    `import type { I${obj.kind} as T${i} } from '${modelModule(obj.apiVersion, obj.kind)}';`,
  ]);
  const firstObjectLine = lines.length;
  lines.push(...objects.map(({ obj }, i) => `export const o${i}: T${i} = ${JSON.stringify(obj)};`));
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true, noEmit: true, skipLibCheck: true, types: [],
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) => (name === file ? ts.createSourceFile(name, source, lang) : getSourceFile(name, lang, ...rest));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return text;
    const line = d.file.getLineAndCharacterOfPosition(d.start).line;
    return `${line >= firstObjectLine ? objects[line - firstObjectLine].label : 'imports'}: ${text}`;
  });
}
