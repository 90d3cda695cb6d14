// The file store on local disk: each file is one regular file under root (DATA_DIR/files by
// default). The default backend, for one node (or nodes sharing a volume).
//
// A file's path is made from the SHA-256 of its key, <root>/<2 hex>/<64 hex>, never from the key
// itself: no key, whatever a validation bug let through, can reach outside the root, and keys
// `a` and `a/b` coexist as they do on S3 (a path-per-key layout would need `a` as a file and a
// directory at once). The key is in the file's header, for whoever looks at the directory.
//
// A stored file is a fixed 1 KiB header (magic line, then JSON: content type, size, SHA-256)
// followed by the bytes: the metadata lives in the same file as the bytes, so one rename makes
// both visible at once (a sidecar file would need two renames, and a reader between them would
// pair the new bytes with the old type).
//
// Atomic writes: the body streams into <root>/.tmp/<random> (same file system, created 0600),
// chunk by chunk (one chunk in memory), then the header is written over the reserved space, the
// file fsynced, renamed over the key's path, and the directory fsynced: after a crash the key has
// the old file or the new one, whole. A put that fails removes its temp file; temp files left by
// a crash are removed when a store opens (after TEMP_MAX_AGE_MS, so a put under way in another
// process sharing the directory keeps its own).

import { createHash, randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { AppError } from '../errors.ts';
import { checkContentType, checkFileKey, type FileBody, type FileStore, type OpenedFile, type PutOptions, type PutResult, type StoredFile } from './file-store.ts';
import { measuredBody } from './measured-body.ts';

const MAGIC = 'molam-file 1\n';
export const HEADER_BYTES = 1024;
const TEMP_DIR = '.tmp';
const TEMP_MAX_AGE_MS = 24 * 3600_000;

interface Header {
  key: string;
  contentType: string;
  size: number;
  sha256: string;
}

export async function openDiskFileStore(root: string): Promise<FileStore> {
  const base = resolve(root);
  const temp = join(base, TEMP_DIR);
  await mkdir(temp, { recursive: true, mode: 0o700 });
  await sweepTemp(temp);

  function pathOf(key: string): string {
    const digest = createHash('sha256').update(checkFileKey(key)).digest('hex');
    return join(base, digest.slice(0, 2), digest);
  }

  async function put(key: string, body: FileBody, options: PutOptions): Promise<PutResult> {
    const target = pathOf(key);
    const contentType = checkContentType(options.contentType);
    const measured = measuredBody(body, options);
    const tempPath = join(temp, randomUUID());
    const file = await storage(() => open(tempPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600));
    let renamed = false;
    try {
      let position = HEADER_BYTES;
      for await (const chunk of measured.chunks) {
        await storage(() => writeAll(file, chunk, position));
        position += chunk.length;
      }
      const header: Header = { key, contentType, size: measured.size, sha256: measured.sha256() };
      await storage(async () => {
        await writeAll(file, encodeHeader(header), 0);
        await file.sync();
        await file.close();
        await mkdir(dirname(target), { recursive: true, mode: 0o700 });
        await rename(tempPath, target);
      });
      renamed = true;
      await storage(() => syncDirectory(dirname(target)));
      return { key, size: header.size, sha256: header.sha256 };
    } finally {
      if (!renamed) {
        await file.close().catch(() => undefined); // already closed when the rename failed
        await rm(tempPath, { force: true });
      }
    }
  }

  /** The file's handle and header, or null when there is no such file. */
  async function openStored(key: string): Promise<{ file: FileHandle; info: StoredFile } | null> {
    const path = pathOf(key);
    let file: FileHandle;
    try {
      // O_NOFOLLOW: a symbolic link planted at a key's path is refused, never followed.
      file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (err) {
      if (isMissing(err)) return null;
      throw unavailable(err);
    }
    try {
      const { buffer, stats } = await storage(async () => {
        const buffer = Buffer.alloc(HEADER_BYTES);
        const { bytesRead } = await file.read(buffer, 0, HEADER_BYTES, 0);
        return { buffer: buffer.subarray(0, bytesRead), stats: await file.stat() };
      });
      const header = decodeHeader(buffer);
      if (!stats.isFile() || !header || header.key !== key || stats.size !== HEADER_BYTES + header.size) {
        throw new AppError('file_store_unavailable', `the stored file of ${key} is damaged (its header or its length)`);
      }
      return { file, info: { key, size: header.size, contentType: header.contentType, modifiedAt: stats.mtime } };
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  return {
    kind: 'disk',
    put,
    async open(key): Promise<OpenedFile | null> {
      const stored = await openStored(key);
      if (!stored) return null;
      // The stream owns the handle from here and closes it at its end or on destroy().
      const body = stored.file.createReadStream({ start: HEADER_BYTES, highWaterMark: 64 * 1024 });
      return { ...stored.info, body };
    },
    async stat(key) {
      const stored = await openStored(key);
      if (!stored) return null;
      await stored.file.close();
      return stored.info;
    },
    async remove(key) {
      const path = pathOf(key);
      try {
        await unlink(path);
      } catch (err) {
        if (!isMissing(err)) throw unavailable(err);
        return;
      }
      await storage(() => syncDirectory(dirname(path)));
    },
    async close() { /* nothing held between calls */ },
  };
}

function encodeHeader(header: Header): Buffer {
  const text = MAGIC + JSON.stringify(header) + '\n';
  const out = Buffer.alloc(HEADER_BYTES, 0x20);
  if (Buffer.byteLength(text) > HEADER_BYTES) throw new AppError('bad_request', 'file metadata too long');
  out.write(text, 0, 'utf8');
  return out;
}

function decodeHeader(buffer: Buffer): Header | null {
  if (buffer.length !== HEADER_BYTES) return null;
  const text = buffer.toString('utf8');
  if (!text.startsWith(MAGIC)) return null;
  try {
    const h = JSON.parse(text.slice(MAGIC.length).trimEnd()) as Header;
    return typeof h.key === 'string' && typeof h.contentType === 'string' && Number.isSafeInteger(h.size) && typeof h.sha256 === 'string' ? h : null;
  } catch {
    return null;
  }
}

async function writeAll(file: FileHandle, data: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await file.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}

/** fsync of a directory, so a rename or unlink in it survives a crash. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function sweepTemp(temp: string): Promise<void> {
  const now = Date.now();
  for (const name of await readdir(temp)) {
    const path = join(temp, name);
    try {
      if (now - (await stat(path)).mtimeMs > TEMP_MAX_AGE_MS) await rm(path, { force: true });
    } catch { /* removed meanwhile */ }
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Runs a disk operation; a file-system failure (full disk, permissions, I/O) becomes file_store_unavailable. */
async function storage<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    throw unavailable(err);
  }
}

function unavailable(err: unknown): Error {
  if (err instanceof AppError) return err;
  const e = err as NodeJS.ErrnoException;
  return new AppError('file_store_unavailable', `file store (disk): ${e.code ?? ''} ${e.message}`.trim(), { cause: e.code });
}
