// The configuration of a run as the CLI needs it: what the scenario reads (lib/config.ts, the same
// parse k6 makes) and the settings only the CLI acts on, which k6's bundles never carry.
import { parseConfig, SettingError, type Config } from '../lib/config.ts';
import type { Env } from '../lib/variables.ts';
import { splitArgs } from './environment.ts';
import { choice, duration, flag, numeric, text, url } from './settings.ts';
import type { caches, databases } from './variables.ts';

export interface RunConfig extends Config {
  resultsDir: string;
  /** Extra flags for the reference service. */
  targetArgs: string[];
  /** Empty: the started reference service's debug listener, if any. */
  pprofUrl: string;
  profileCapture: boolean;
  /** The live dashboard: auto decides by terminal and CI. */
  dashboard: 'auto' | 'on' | 'off';
  /** k6's --secret-source value; empty for none. */
  secretSource: string;
  /** Empty: the pinned build. */
  k6Binary: string;
  /** The reference service's database and cache, and its pool settings (the service reads those itself). */
  db: (typeof databases)[number];
  /** Empty: loadgate starts a throwaway PostgreSQL when db is postgres. */
  databaseUrl: string;
  cache: (typeof caches)[number];
  dbPool: { maxOpenConns: number; maxIdleConns: number; connMaxLifetime: string; connMaxIdleTime: string };
}

export function parseRunConfig(env: Env): RunConfig {
  return {
    ...parseConfig(env),
    resultsDir: text(env, 'RESULTS_DIR'),
    targetArgs: splitArgs(text(env, 'TARGET_ARGS')),
    pprofUrl: url(env, 'PPROF_URL'),
    profileCapture: flag(env, 'PROFILE_CAPTURE'),
    dashboard: choice(env, 'DASHBOARD') as RunConfig['dashboard'],
    secretSource: text(env, 'LOADGATE_SECRET_SOURCE'),
    k6Binary: text(env, 'K6'),
    ...backends(env),
  };
}

function backends(env: Env): Pick<RunConfig, 'db' | 'databaseUrl' | 'cache' | 'dbPool'> {
  const databaseUrl = url(env, 'DATABASE_URL');
  const db = choice(env, 'DB') || (databaseUrl ? 'postgres' : 'sqlite');
  if (db === 'sqlite' && databaseUrl) {
    throw new SettingError(`DB="sqlite" contradicts DATABASE_URL, which names a PostgreSQL; unset one of them (valid DB values: postgres, sqlite)`);
  }
  const maxOpenConns = numeric(env, 'DB_MAX_OPEN_CONNS');
  return {
    db: db as RunConfig['db'],
    databaseUrl,
    cache: choice(env, 'CACHE') as RunConfig['cache'],
    dbPool: {
      maxOpenConns,
      maxIdleConns: numeric(env, 'DB_MAX_IDLE_CONNS', maxOpenConns),
      connMaxLifetime: duration(env, 'DB_CONN_MAX_LIFETIME'),
      connMaxIdleTime: duration(env, 'DB_CONN_MAX_IDLE_TIME'),
    },
  };
}
