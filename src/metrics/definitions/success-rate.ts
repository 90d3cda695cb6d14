import { defineMetric } from '../define-metric.ts';

export const successRate = defineMetric({
  name: 'success_rate',
  description: 'succeeded / (succeeded + failed); pending ones are left out.',
  unit: 'ratio',
  sql: 'succeeded_count / NULLIF(succeeded_count + failed_count, 0)',
});
