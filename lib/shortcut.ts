// k6's shortcut options (--vus, --duration…) would replace a scenario's load shape with one that
// runs `default`; every scenario refuses them, in its VUs and again in the handshake.
import { profileNames } from './profiles.ts';

export const shortcutRefusal =
  "k6's --vus, --duration, --iterations and --stages replace a script's scenarios with one that runs `default`; " +
  `loadgate scenarios set their own load shape: use PROFILE=${profileNames.join('|')} and VUS=, RPS= or EVENTS_PER_SEC= instead`;

/** Every scenario exports this as `default`, the function k6's shortcut options run. */
export function shortcutOptionsRefused(): never {
  throw new Error(shortcutRefusal);
}
