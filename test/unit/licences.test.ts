// The licence check of make licenses: an AGPL, GPL or undeclared package fails it with the
// package named, and so does project Go code that imports k6 (AGPL-3.0).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { classifyLicenceText, expressionAllowed, goFindings, k6ImportFindings, npmFindings } from '../../scripts/licenses.ts';

const root = resolve(import.meta.dirname, '..', '..');
const fixtureLock = join(root, 'test', 'fixtures', 'licences', 'package-lock.json');

test('SPDX expressions: OR needs one allowed side, AND needs both, WITH counts as its licence', () => {
  assert.equal(expressionAllowed('MIT'), true);
  assert.equal(expressionAllowed('(MIT OR GPL-3.0-only)'), true);
  assert.equal(expressionAllowed('MIT AND GPL-3.0-only'), false);
  assert.equal(expressionAllowed('Apache-2.0 WITH LLVM-exception'), true);
  assert.equal(expressionAllowed('AGPL-3.0-only'), false);
  assert.equal(expressionAllowed('LGPL-2.1'), false);
  assert.equal(expressionAllowed('SEE LICENSE IN LICENSE.txt'), false);
  assert.equal(expressionAllowed(''), false);
});

test('the fixture lockfile fails on its AGPL, GPL and undeclared packages, each named', () => {
  const findings = npmFindings(fixtureLock).map((f) => `${f.what} ${f.problem}`);
  assert.deepEqual(findings, [
    'npm package copyleft-agpl@3.1.4 is licensed AGPL-3.0-only',
    'npm package nested-gpl@0.1.0 is licensed GPL-2.0-or-later',
    'npm package no-licence@0.0.1 declares no licence',
  ]);
});

test('licence texts: GNU titles are refused, MPL-2.0 (which names the GPL as secondary) is not', () => {
  assert.equal(classifyLicenceText('                    GNU AFFERO GENERAL PUBLIC LICENSE\n                       Version 3, 19 November 2007'), 'AGPL-3.0');
  assert.equal(classifyLicenceText('GNU LESSER GENERAL PUBLIC LICENSE Version 3'), 'LGPL');
  assert.equal(classifyLicenceText('Mozilla Public License Version 2.0 ... "Secondary License" means either the GNU General Public License, Version 2.0'), 'MPL-2.0');
  assert.equal(classifyLicenceText('Redistribution and use in source and binary forms, with or without\nmodification ... Neither the name of Google Inc.'), 'BSD-3-Clause');
  assert.equal(classifyLicenceText('All rights reserved.'), 'unknown');
});

test('a Go module with an AGPL, missing or unknown licence file is named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loadgate-licences-'));
  try {
    const module = (name: string, licence?: string) => {
      mkdirSync(join(dir, name));
      if (licence !== undefined) writeFileSync(join(dir, name, 'LICENSE'), licence);
      return { path: `example.com/${name}`, version: 'v1.0.0', dir: join(dir, name) };
    };
    const findings = goFindings([
      module('fine', 'MIT License\n\nPermission is hereby granted, free of charge, to any person obtaining a copy'),
      module('agpl', 'GNU AFFERO GENERAL PUBLIC LICENSE\nVersion 3'),
      module('bare'),
      module('odd', 'All rights reserved.'),
    ]).map((f) => `${f.what} ${f.problem}`);
    assert.deepEqual(findings, [
      'Go module example.com/agpl@v1.0.0 is licensed AGPL-3.0',
      'Go module example.com/bare@v1.0.0 has no LICENSE file',
      'Go module example.com/odd@v1.0.0 has a licence file this check does not recognise',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the licence check (make licenses) exits 1 naming the AGPL package and a Go file that imports k6; 0 on this repository', () => {
  const tree = mkdtempSync(join(tmpdir(), 'loadgate-licences-'));
  try {
    cpSync(fixtureLock, join(tree, 'package-lock.json'));
    mkdirSync(join(tree, 'tools'));
    writeFileSync(join(tree, 'tools', 'extension.go'), 'package tools\n\nimport (\n\t"fmt"\n\tk6js "go.k6.io/k6/js/modules"\n)\n');
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/licenses.ts', tree], { cwd: root, encoding: 'utf8' });
    assert.equal(bad.status, 1, bad.stderr);
    assert.match(bad.stderr, /npm package copyleft-agpl@3\.1\.4 is licensed AGPL-3\.0-only; allowed: MIT/);
    assert.match(bad.stderr, /tools\/extension\.go imports k6 \(go\.k6\.io\/…\)/);

    const ours = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/licenses.ts'], { cwd: root, encoding: 'utf8' });
    assert.equal(ours.status, 0, ours.stderr);
    assert.match(ours.stdout, /npm packages and \d+ Go modules allowed/);
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
});

test('k6 imports are found in go.mod too, and a mere mention in a comment is not one', () => {
  const tree = mkdtempSync(join(tmpdir(), 'loadgate-licences-'));
  try {
    writeFileSync(join(tree, 'go.mod'), 'module x\n\nrequire go.k6.io/k6 v0.0.0\n');
    writeFileSync(join(tree, 'ok.go'), '// k6 lives at https://github.com/grafana/k6, never imported here\npackage x\n');
    assert.deepEqual(k6ImportFindings(tree).map((f) => f.what), ['go.mod']);
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
});
