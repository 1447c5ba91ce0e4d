// handleSummary for every scenario. Defensive by design: summary.json is the raw measurement and
// is written first and whatever a renderer does; a renderer failure is logged, never fatal.
import type { Config } from '../config.ts';
import { redactText } from '../redact.ts';
import { runFiles } from '../run-files.ts';
import { renderJunit } from './junit.ts';
import { monitorNote, type K6Summary } from './model.ts';
import { renderText } from './text.ts';

/**
 * Run by loadgate (LOADGATE_RUN_DIR set), the summary goes to the run folder and our text to the
 * terminal. Run as a plain `k6 run dist/<scenario>.js`, it returns nothing, and k6 prints its own
 * end-of-test summary and honours --summary-export as for any script.
 */
export function summaryHandler(scenario: string, config: Config) {
  return (data: K6Summary): Record<string, string> | undefined => {
    if (!config.runDir) return undefined;
    const files: Record<string, string> = {};
    const at = (name: string) => `${config.runDir}/${name}`;
    // A URL with its password can reach the summary (setup data, an error): redacted before any file.
    files[at(runFiles.summary)] = redactText(JSON.stringify(data, null, 2));
    const note = monitorNote(data);
    const label = { scenario, profile: config.profileName, notes: note ? [note] : [] };
    const renderers: Array<[string, () => string]> = [
      [runFiles.summaryText, () => renderText(data, label)],
      [runFiles.junit, () => renderJunit(data, `loadgate.${scenario}.${config.profileName}`)],
    ];
    for (const [name, render] of renderers) {
      try {
        const output = redactText(render());
        files[at(name)] = output;
        if (name === runFiles.summaryText) files.stdout = output;
      } catch (error) {
        console.error(`summary renderer for ${name} failed: ${String(error)}`);
      }
    }
    return files;
  };
}
