// What k6 needs a scenario bundle to export, each provided by defineScenario (lib/scenario.ts).
// Pure, so the unit tests can hold build.mjs's check to the same list.
export const REQUIRED_EXPORTS = ['options', 'setup', 'alertMonitor', 'handleSummary', 'default'] as const;
