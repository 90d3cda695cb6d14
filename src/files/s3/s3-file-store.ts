// The file store on S3-compatible storage (AWS S3, or any server of its API: S3_ENDPOINT).
//
// put() reads the body one part at a time into one buffer of partSize (8 MiB by default), which
// is all the memory an upload holds whatever the file's size. A body that fits in one part goes as a single PUT; a larger one
// as a multipart upload (create, one PUT per part, complete), aborted if anything fails, so no
// object appears until the whole body is in. Every body is sent with its SHA-256 signed
// (x-amz-content-sha256): the storage refuses a part that arrives altered.
// Limits, from S3's: parts of 5 MiB to 5 GiB but the last, 10,000 parts (78 GiB at 8 MiB).

import { AppError } from '../../errors.ts';
import { checkContentType, checkFileKey, type FileBody, type FileStore, type OpenedFile, type PutOptions, type PutResult, type StoredFile } from '../file-store.ts';
import { measuredBody } from '../measured-body.ts';
import { readText, s3Client, type S3Client, type S3Response, type S3Target } from './s3-client.ts';

export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
export const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;

export interface S3FileStoreOptions extends S3Target {
  /** Bytes per part of a multipart upload, and the largest single PUT (MIN_PART_SIZE at least). */
  partSize?: number;
}

export function openS3FileStore(options: S3FileStoreOptions): FileStore {
  const partSize = options.partSize ?? DEFAULT_PART_SIZE;
  if (!(Number.isSafeInteger(partSize) && partSize >= MIN_PART_SIZE)) throw new Error(`partSize must be at least ${MIN_PART_SIZE} bytes`);
  const client = s3Client(options);

  async function put(key: string, body: FileBody, putOptions: PutOptions): Promise<PutResult> {
    checkFileKey(key);
    const contentType = checkContentType(putOptions.contentType);
    const measured = measuredBody(body, putOptions);
    const parts = partsOf(measured.chunks, partSize)[Symbol.asyncIterator]();
    const first = await parts.next();
    if (first.done || first.value.last) {
      const data = first.done ? Buffer.alloc(0) : first.value.data;
      await expect(client, { method: 'PUT', key, headers: { 'content-type': contentType }, body: data }, [200], `PUT ${key}`);
    } else {
      await multipartUpload(client, key, contentType, first.value.data, parts);
    }
    return { key, size: measured.size, sha256: measured.sha256() };
  }

  async function head(key: string): Promise<S3Response | null> {
    const response = await client.send({ method: 'HEAD', key: checkFileKey(key) });
    if (response.status === 404) {
      response.body.resume();
      return null;
    }
    if (response.status !== 200) throw await client.failure(response, `HEAD ${key}`);
    response.body.resume();
    return response;
  }

  return {
    kind: 's3',
    put,
    async open(key): Promise<OpenedFile | null> {
      const response = await client.send({ method: 'GET', key: checkFileKey(key) });
      if (response.status === 404) {
        const text = await readText(response.body, 64 * 1024).catch(() => '');
        if (/<Code>NoSuchBucket<\/Code>/.test(text)) throw new AppError('file_store_unavailable', `file store (S3): bucket ${options.bucket} does not exist`);
        return null;
      }
      if (response.status !== 200) throw await client.failure(response, `GET ${key}`);
      return { ...infoOf(key, response), body: response.body };
    },
    async stat(key): Promise<StoredFile | null> {
      const response = await head(key);
      return response && infoOf(key, response);
    },
    async remove(key) {
      // S3 answers 204 whether or not the key existed; some compatible servers answer 404.
      const response = await client.send({ method: 'DELETE', key: checkFileKey(key) });
      if (response.status === 204 || response.status === 200 || response.status === 404) {
        const text = await readText(response.body, 64 * 1024).catch(() => '');
        if (response.status === 404 && /<Code>NoSuchBucket<\/Code>/.test(text)) {
          throw new AppError('file_store_unavailable', `file store (S3): bucket ${options.bucket} does not exist`);
        }
        return;
      }
      throw await client.failure(response, `DELETE ${key}`);
    },
    async close() { client.close(); },
  };
}

async function multipartUpload(
  client: S3Client, key: string, contentType: string, firstPart: Buffer, rest: AsyncIterator<{ data: Buffer; last: boolean }>,
): Promise<void> {
  const created = await expect(client, { method: 'POST', key, query: { uploads: '' }, headers: { 'content-type': contentType } }, [200], `create upload of ${key}`);
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created)?.[1];
  if (!uploadId) throw new AppError('file_store_unavailable', `file store (S3): no UploadId in the answer to creating an upload of ${key}`);
  try {
    const etags: string[] = [];
    let data: Buffer | null = firstPart;
    while (data) {
      const partNumber = etags.length + 1;
      if (partNumber > MAX_PARTS) throw new AppError('file_too_large', `the file needs more than ${MAX_PARTS} parts`);
      const response = await client.send({ method: 'PUT', key, query: { partNumber: String(partNumber), uploadId }, body: data });
      if (response.status !== 200) throw await client.failure(response, `PUT part ${partNumber} of ${key}`);
      response.body.resume();
      const etag = response.headers.etag;
      if (!etag) throw new AppError('file_store_unavailable', `file store (S3): no ETag for part ${partNumber} of ${key}`);
      etags.push(etag);
      const next = await rest.next();
      data = next.done ? null : next.value.data;
    }
    const manifest = '<CompleteMultipartUpload>'
      + etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${escapeXml(etag)}</ETag></Part>`).join('')
      + '</CompleteMultipartUpload>';
    const completed = await expect(client, { method: 'POST', key, query: { uploadId }, headers: { 'content-type': 'application/xml' }, body: Buffer.from(manifest) }, [200], `complete upload of ${key}`);
    // TRICKY: S3 can answer 200 and still fail the completion, with an <Error> body.
    if (/<Error>/.test(completed)) throw new AppError('file_store_unavailable', `file store (S3): completing the upload of ${key} failed: ${completed.slice(0, 300)}`);
  } catch (err) {
    const abort = await client.send({ method: 'DELETE', key, query: { uploadId } }).catch(() => null);
    abort?.body.resume();
    throw err;
  }
}

/**
 * The body cut into parts of exactly `size` bytes but the last, which is marked: a part is handed
 * out only once a byte past it has arrived, so the last is known as such without reading ahead
 * more than one chunk. Every part is the same buffer, filled again for the next: a part's data is
 * valid until next() is called (the upload loop sends a part whole before it asks for the next),
 * and the memory of an upload is that one buffer whatever the file's size.
 */
export async function* partsOf(chunks: AsyncIterable<Buffer>, size: number): AsyncGenerator<{ data: Buffer; last: boolean }> {
  let part: Buffer | null = null;
  let filled = 0;
  for await (const chunk of chunks) {
    let rest = chunk;
    while (rest.length > 0) {
      if (filled === size) {
        yield { data: part!, last: false };
        filled = 0;
      }
      part ??= Buffer.allocUnsafe(size);
      const n = Math.min(size - filled, rest.length);
      rest.copy(part, filled, 0, n);
      filled += n;
      rest = rest.subarray(n);
    }
  }
  if (filled > 0) yield { data: part!.subarray(0, filled), last: true };
}

/** Sends a request, fails unless its status is one of `ok`, and gives its body as text. */
async function expect(client: S3Client, request: Parameters<S3Client['send']>[0], ok: number[], what: string): Promise<string> {
  const response = await client.send(request);
  if (!ok.includes(response.status)) throw await client.failure(response, what);
  return readText(response.body, 1024 * 1024);
}

function infoOf(key: string, response: S3Response): StoredFile {
  const size = Number(response.headers['content-length']);
  const modified = response.headers['last-modified'];
  return {
    key,
    size: Number.isSafeInteger(size) ? size : 0,
    contentType: String(response.headers['content-type'] ?? 'application/octet-stream').split(';')[0].trim(),
    modifiedAt: modified ? new Date(modified) : new Date(0),
  };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
