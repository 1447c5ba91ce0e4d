// handleSummary for every scenario. Defensive by design: summary.json is the raw measurement and
// is written first and whatever a renderer does; a renderer failure is logged, never fatal.
import type { Config } from '../config.ts';
import type { SetupData } from '../preflight.ts';
import { runFiles } from '../run-files.ts';
import { renderJunit } from './junit.ts';
import type { K6Summary } from './model.ts';
import { renderText } from './text.ts';

export function summaryHandler(scenario: string, config: Config) {
  return (data: K6Summary): Record<string, string> => {
    const files: Record<string, string> = {};
    const at = (name: string) => `${config.runDir}/${name}`;
    if (config.runDir) files[at(runFiles.summary)] = JSON.stringify(data, null, 2);
    const setup = data.setup_data as Partial<SetupData> | undefined;
    const label = { scenario, profile: config.profileName, notes: setup?.monitorNote ? [setup.monitorNote] : [] };
    const renderers: Array<[string, () => string]> = [
      [runFiles.summaryText, () => renderText(data, label)],
      [runFiles.junit, () => renderJunit(data, `loadgate.${scenario}.${config.profileName}`)],
    ];
    for (const [name, render] of renderers) {
      try {
        const output = render();
        if (config.runDir) files[at(name)] = output;
        if (name === runFiles.summaryText) files.stdout = output;
      } catch (error) {
        console.error(`summary renderer for ${name} failed: ${String(error)}`);
      }
    }
    return files;
  };
}
