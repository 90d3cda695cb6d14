// The file-store port: named operations on whole files (dispute evidence, later exports), by a
// key the server generates. Two backends implement it — local disk under DATA_DIR/files
// (disk-file-store.ts) and S3-compatible storage (s3/s3-file-store.ts) — and openFileStore
// chooses one from the settings. Nothing outside src/files knows which one it has.
//
// Contract (test/files/file-store-contract.ts runs it against both):
// - put() stores the whole body under the key or nothing: a body that fails, runs past
//   maxBytes or its declared size, or ends short of it leaves the previous file (or none) in place.
//   A put over an existing key replaces it; a reader sees the old file or the new one, never a mix.
// - open() and stat() answer null for a missing key; remove() of a missing key is not an error.
// - Keys name leaves of a tree: never use a key as the folder of another (`a` and `a/b`). The
//   disk backend and AWS take both, but S3-compatible servers that store objects as files
//   (S3Proxy's filesystem provider, the test server) refuse the second.
// - Bodies are streamed: memory stays bounded by a part (S3) or a chunk (disk), whatever the size.
// - Failures are AppErrors: invalid_file_key, file_too_large, file_size_mismatch (the caller's),
//   file_store_unavailable and file_store_denied (the storage's).

import type { Readable } from 'node:stream';
import { AppError } from '../errors.ts';

/** What put() takes: bytes in memory, or a stream (a Node Readable or any async iterable of bytes). */
export type FileBody = Uint8Array | Readable | AsyncIterable<Uint8Array>;

export interface PutOptions {
  /** Stored with the file and given back by open()/stat(): `type/subtype`, no parameters. */
  contentType: string;
  /** The size the sender declared (Content-Length of a part, say): a body of another size is refused. */
  size?: number;
  /** Most bytes accepted: past it the put fails with file_too_large and nothing is stored. */
  maxBytes?: number;
}

export interface StoredFile {
  key: string;
  size: number;
  contentType: string;
  /** When this version of the file was stored (the storage's clock; seconds on S3). */
  modifiedAt: Date;
}

export interface PutResult {
  key: string;
  size: number;
  /** SHA-256 of the bytes stored, hex: worth keeping beside the file's record, to prove it unchanged. */
  sha256: string;
}

export interface OpenedFile extends StoredFile {
  /** The bytes. Read it to the end or destroy() it: an abandoned one holds a file or a connection. */
  body: Readable;
}

export interface FileStore {
  readonly kind: 'disk' | 's3';
  put(key: string, body: FileBody, options: PutOptions): Promise<PutResult>;
  open(key: string): Promise<OpenedFile | null>;
  stat(key: string): Promise<StoredFile | null>;
  remove(key: string): Promise<void>;
  close(): Promise<void>;
}

// Lowercase only: a disk on a case-insensitive file system would make `A` and `a` one file.
// A segment never starts with '.', so '.', '..' and hidden names (the disk backend's own .tmp)
// cannot be named; no '\', no NUL, no leading '/': a key is always a relative path below the root.
const SEGMENT = /^[a-z0-9_-][a-z0-9._-]{0,127}$/;
export const MAX_KEY_LENGTH = 512;
const MAX_SEGMENTS = 16;

/** The key itself when it is of the allowed form; otherwise invalid_file_key. */
export function checkFileKey(key: unknown): string {
  const problem = keyProblem(key);
  if (problem) throw new AppError('invalid_file_key', `invalid file key ${JSON.stringify(String(key)).slice(0, 80)}: ${problem}`);
  return key as string;
}

function keyProblem(key: unknown): string | null {
  if (typeof key !== 'string' || key.length === 0) return 'empty or not a string';
  if (key.length > MAX_KEY_LENGTH) return `longer than ${MAX_KEY_LENGTH} characters`;
  const segments = key.split('/');
  if (segments.length > MAX_SEGMENTS) return `more than ${MAX_SEGMENTS} segments`;
  for (const s of segments) {
    if (!SEGMENT.test(s)) return 'segments are 1-128 of a-z 0-9 _ - . (not leading), separated by single slashes';
  }
  return null;
}

const CONTENT_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/** A bare media type (it goes into a header and a file header): anything else is a defect of the caller. */
export function checkContentType(contentType: string): string {
  if (!CONTENT_TYPE.test(contentType)) throw new AppError('bad_request', `invalid content type ${JSON.stringify(contentType).slice(0, 80)}`);
  return contentType;
}
