// The settings that change what a query answers, sent with every query: the server's profile
// (which an operator may have tuned: a `join_use_nulls`, a `max_result_rows` with
// `result_overflow_mode = 'break'`, a `count_distinct_implementation = 'uniq'`…) must never
// change a number. Each setting is sent only if the server knows it (system.settings is read
// once at open): 18.16 refuses unknown settings, and most of these arrived later.

import type { ClickHouseSettings } from '@clickhouse/client';

/** Every result-changing setting with the value our SQL is written for. */
export const RESULT_SETTINGS: Readonly<Record<string, string | number>> = {
  // An unmatched LEFT JOIN row reads NULL, as in DuckDB (the 18.16 default reads 0 or '').
  join_use_nulls: 1,
  join_default_strictness: 'ALL',
  // Aggregates over no rows: 0 / NULL, never "no row" nor NULL for sum.
  empty_result_for_aggregation_by_empty_set: 0,
  aggregate_functions_null_for_empty: 0,
  group_by_use_nulls: 0,
  count_distinct_implementation: 'uniqExact',
  // Limits stop a query with an error, never by silently cutting its answer.
  result_overflow_mode: 'throw',
  read_overflow_mode: 'throw',
  group_by_overflow_mode: 'throw',
  sort_overflow_mode: 'throw',
  set_overflow_mode: 'throw',
  join_overflow_mode: 'throw',
  distinct_overflow_mode: 'throw',
  transfer_overflow_mode: 'throw',
  timeout_overflow_mode: 'throw',
  limit: 0,
  offset: 0,
  extremes: 0,
  decimal_check_overflow: 1,
  // Semantics that later releases made configurable: keep the 18.16 ones.
  cast_keep_nullable: 0,
  transform_null_in: 0,
  enable_positional_arguments: 0,
  prefer_column_name_to_alias: 0,
  final: 0,
  data_type_default_nullable: 0,
  // The formats the store reads and writes.
  output_format_decimal_trailing_zeros: 0,
  output_format_tsv_crlf_end_of_line: 0,
  format_tsv_null_representation: '\\N',
  output_format_json_quote_64bit_integers: 1,
  input_format_skip_unknown_fields: 0,
  input_format_tsv_empty_as_default: 0,
  input_format_null_as_default: 0,
  date_time_input_format: 'basic',
};

/** RESULT_SETTINGS restricted to the settings a server knows (names from system.settings). */
export function settingsForServer(known: ReadonlySet<string>): ClickHouseSettings {
  const out: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(RESULT_SETTINGS)) if (known.has(name)) out[name] = value;
  return out as ClickHouseSettings;
}
