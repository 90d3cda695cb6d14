// The series chart's messages, English and French. Merged into the dictionary in ../i18n.ts.

export const chartEn = {
  chart_current: 'This period',
  chart_previous: 'Previous period',
  chart_partial: 'Incomplete: the last bucket is still running',
  chart_hint: 'Use the arrow keys to read each bucket (Shift for larger steps).',
  chart_summary_from: 'From',
  chart_summary_to: 'to',
  chart_summary_buckets: 'buckets',
  chart_summary_max: 'highest',
  chart_summary_min: 'lowest',
  chart_time: 'Time',
};

export const chartFr: Record<keyof typeof chartEn, string> = {
  chart_current: 'Cette période',
  chart_previous: 'Période précédente',
  chart_partial: 'Incomplet : la dernière tranche est en cours',
  chart_hint: 'Flèches pour lire chaque tranche (Maj pour de plus grands pas).',
  chart_summary_from: 'Du',
  chart_summary_to: 'au',
  chart_summary_buckets: 'tranches',
  chart_summary_max: 'maximum',
  chart_summary_min: 'minimum',
  chart_time: 'Heure',
};
