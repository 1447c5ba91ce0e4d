// k6's threshold shape, kept free of k6 imports so node can build and test it.
export interface ThresholdRule {
  threshold: string;
  abortOnFail?: boolean;
  delayAbortEval?: string;
}
export type Thresholds = Record<string, Array<string | ThresholdRule>>;

export function mergeThresholds(...parts: Thresholds[]): Thresholds {
  const merged: Thresholds = {};
  for (const part of parts) {
    for (const [key, rules] of Object.entries(part)) merged[key] = [...(merged[key] ?? []), ...rules];
  }
  return merged;
}
