// `make licenses`: every npm package in package-lock.json and every Go module that
// service/go.mod requires (direct and indirect) carries a licence on the allow-list, and no
// project Go code imports k6 (go.k6.io/…). k6 is AGPL-3.0: loadgate builds and runs it as an
// unmodified external program and must never link, vendor or copy it. docs/licences.md is the policy.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** SPDX ids loadgate may depend on: permissive or file-level copyleft, no network or linking clause. */
export const allowedLicences = [
  'MIT', 'MIT-0', 'ISC', '0BSD', 'BSD-2-Clause', 'BSD-3-Clause', 'Apache-2.0', 'MPL-2.0',
  'BlueOak-1.0.0', 'CC0-1.0', 'CC-BY-3.0', 'CC-BY-4.0', 'Unlicense', 'Python-2.0', 'Zlib', 'BSL-1.0',
] as const;

/** One package whose licence is not allowed, in a sentence that names it. */
export interface Finding {
  what: string;
  problem: string;
}

const spdxIds = new Set<string>(allowedLicences);

/**
 * Whether an SPDX expression is allowed: `A OR B` needs one allowed side, `A AND B` both,
 * `A WITH exception` counts as A. Parentheses group as written.
 */
export function expressionAllowed(expression: string): boolean {
  const tokens = expression.replace(/([()])/g, ' $1 ').trim().split(/\s+/);
  let at = 0;
  const primary = (): boolean => {
    const token = tokens[at++];
    if (token === '(') {
      const inner = or();
      at++; // ')'
      return inner;
    }
    if (tokens[at] === 'WITH') at += 2;
    return spdxIds.has(token?.replace(/\+$/, '') ?? '');
  };
  const and = (): boolean => {
    let allowed = primary();
    while (tokens[at] === 'AND') {
      at++;
      allowed = primary() && allowed;
    }
    return allowed;
  };
  function or(): boolean {
    let allowed = and();
    while (tokens[at] === 'OR') {
      at++;
      allowed = and() || allowed;
    }
    return allowed;
  }
  return tokens.length > 0 && tokens[0] !== '' && or() && at === tokens.length;
}

// Each licence by a phrase only its own text has. The GNU titles are matched in capitals: the
// MPL-2.0 text names "GNU General Public License" as a secondary licence and stays allowed.
const licenceTexts: Array<[string, RegExp]> = [
  ['AGPL-3.0', /GNU AFFERO GENERAL PUBLIC LICENSE/],
  ['LGPL', /GNU (LESSER|LIBRARY) GENERAL PUBLIC LICENSE/],
  ['GPL', /GNU GENERAL PUBLIC LICENSE/],
  ['SSPL-1.0', /Server Side Public License/i],
  ['BUSL-1.1', /Business Source License/i],
  ['Apache-2.0', /Apache License,? Version 2\.0/i],
  ['MPL-2.0', /Mozilla Public License,? (Version|v\.?) ?2\.0/i],
  ['MIT', /Permission is hereby granted, free of charge, to any person obtaining a copy/i],
  ['ISC', /Permission to use, copy, modify, and(\/or)? distribute this software for any purpose with or without fee is hereby granted/i],
  ['Unlicense', /This is free and unencumbered software released into the public domain/i],
  ['CC0-1.0', /CC0 1\.0 Universal/i],
];

/** The SPDX id of a licence file's text, or 'unknown'; BSD is told apart by its third clause. */
export function classifyLicenceText(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  for (const [id, phrase] of licenceTexts) if (phrase.test(flat)) return id;
  if (/Redistribution and use in source and binary forms/i.test(flat)) {
    return /Neither the name|names of (its|the) contributors may be used/i.test(flat) ? 'BSD-3-Clause' : 'BSD-2-Clause';
  }
  return 'unknown';
}

interface LockPackage {
  version?: string;
  license?: string | { type?: string };
  link?: boolean;
}

/** npm packages of a package-lock.json (v2/v3) whose declared licence is not allowed. */
export function npmFindings(lockFile: string): Finding[] {
  const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as { packages?: Record<string, LockPackage> };
  const findings: Finding[] = [];
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    if (path === '' || entry.link) continue;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const declared = typeof entry.license === 'string' ? entry.license : entry.license?.type;
    const what = `npm package ${name}@${entry.version ?? '?'}`;
    if (!declared) findings.push({ what, problem: 'declares no licence' });
    else if (!expressionAllowed(declared)) findings.push({ what, problem: `is licensed ${declared}` });
  }
  return findings;
}

// The module's own licence; LICENSE-3RD-PARTY and the like describe other code and are not read.
const licenceFileNames = ['LICENSE', 'LICENSE.txt', 'LICENSE.md', 'LICENCE', 'COPYING', 'UNLICENSE'];

/** The licence of a Go module's source folder, from its licence file. */
export function goModuleLicence(dir: string): string {
  const file = licenceFileNames.map((name) => join(dir, name)).find((path) => existsSync(path));
  return file ? classifyLicenceText(readFileSync(file, 'utf8')) : 'none';
}

/** Go modules (path, version, source folder) that go.mod in serviceDir requires, downloaded. */
export function goModules(serviceDir: string): Array<{ path: string; version: string; dir: string }> {
  const go = (...args: string[]) => execFileSync('go', args, { cwd: serviceDir, encoding: 'utf8', maxBuffer: 64 << 20 });
  const required = (JSON.parse(go('mod', 'edit', '-json')).Require ?? []) as Array<{ Path: string; Version: string }>;
  if (!required.length) return [];
  // go mod download -json prints one object per module, back to back.
  const printed = go('mod', 'download', '-json', ...required.map((m) => `${m.Path}@${m.Version}`));
  return [...printed.matchAll(/^\{[\s\S]*?^\}/gm)].map((match) => {
    const module = JSON.parse(match[0]) as { Path: string; Version: string; Dir?: string; Error?: string };
    if (!module.Dir) throw new Error(`go mod download ${module.Path}@${module.Version} failed: ${module.Error ?? 'no folder'}`);
    return { path: module.Path, version: module.Version, dir: module.Dir };
  });
}

export function goFindings(modules: Array<{ path: string; version: string; dir: string }>): Finding[] {
  return modules.flatMap(({ path, version, dir }) => {
    const licence = goModuleLicence(dir);
    const what = `Go module ${path}@${version}`;
    if (licence === 'none') return [{ what, problem: 'has no LICENSE file' }];
    if (licence === 'unknown') return [{ what, problem: 'has a licence file this check does not recognise' }];
    return expressionAllowed(licence) ? [] : [{ what, problem: `is licensed ${licence}` }];
  });
}

function goFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name.startsWith('.')) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return goFiles(path);
    return name.endsWith('.go') || name === 'go.mod' ? [path] : [];
  });
}

/** Go files or go.mod files under root that import or require k6's own packages. */
export function k6ImportFindings(root: string): Finding[] {
  return goFiles(root)
    .filter((file) => /(^|[\s("])go\.k6\.io\//m.test(readFileSync(file, 'utf8')))
    .map((file) => ({ what: relative(root, file), problem: 'imports k6 (go.k6.io/…), which is AGPL-3.0: loadgate runs k6 as a separate program only' }));
}

export function licenceReport(findings: Finding[]): string {
  return findings.map((f) => `${f.what} ${f.problem}; allowed: ${allowedLicences.join(', ')}`).join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  // A folder argument checks another tree laid out like this one (the tests' fixtures).
  const root = resolve(process.argv[2] ?? join(import.meta.dirname, '..'));
  const modules = existsSync(join(root, 'service', 'go.mod')) ? goModules(join(root, 'service')) : [];
  const findings = [...npmFindings(join(root, 'package-lock.json')), ...goFindings(modules), ...k6ImportFindings(root)];
  if (findings.length) {
    process.stderr.write(`licences: ${findings.length} problem(s)\n${licenceReport(findings)}\n`);
    process.exit(1);
  }
  const npmCount = Object.keys(JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages).length - 1;
  process.stdout.write(`licences: ${npmCount} npm packages and ${modules.length} Go modules allowed; no Go code imports go.k6.io\n`);
}
