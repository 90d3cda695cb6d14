// Bulk append of columns through DuckDB's appender, one data chunk (≤ 2048 rows) at a time.
// Numeric columns given as typed arrays are copied into the chunk's vectors in one call each
// (no per-value conversion, no BigInt allocation); other columns go value by value.

import duckdb from '@duckdb/node-bindings';
import { DuckDBDataChunk, type DuckDBAppender, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';

const CHUNK = 2048;

export type NumericColumn = Uint8Array | Int16Array | Int32Array | Uint32Array | BigInt64Array | Float64Array;
export type Column = NumericColumn | ReadonlyArray<DuckDBValue>;

function isTyped(c: Column): c is NumericColumn {
  return ArrayBuffer.isView(c);
}

/**
 * Appends `rowCount` rows. A typed array must match its column's storage width exactly
 * (UTINYINT ↔ Uint8Array, SMALLINT ↔ Int16Array, INTEGER ↔ Int32Array, UINTEGER ↔ Uint32Array,
 * BIGINT ↔ BigInt64Array, DOUBLE ↔ Float64Array) and holds no nulls.
 */
export function appendColumns(
  appender: DuckDBAppender,
  types: readonly DuckDBType[],
  columns: readonly Column[],
  rowCount: number,
): void {
  for (let start = 0; start < rowCount; start += CHUNK) {
    const n = Math.min(CHUNK, rowCount - start);
    const chunk = DuckDBDataChunk.create(types, n);
    for (let c = 0; c < columns.length; c++) {
      const col = columns[c];
      if (isTyped(col)) {
        const part = col.subarray(start, start + n);
        duckdb.copy_data_to_vector(duckdb.data_chunk_get_vector(chunk.chunk, c), 0, part.buffer as ArrayBuffer, part.byteOffset, part.byteLength);
      } else {
        chunk.setColumnValues(c, start === 0 && n === col.length ? col : col.slice(start, start + n));
      }
    }
    appender.appendDataChunk(chunk);
  }
}
