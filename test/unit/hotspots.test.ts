// The bottleneck section's grouping, over profiles built here with the same encoder Go's format
// uses, so every rule (who pays for an allocation, what counts as idle) is checked on stacks we know.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { Function as PprofFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { blockAnalysis, decodeProfile, groupOf, groupShares, isIdleWait, mainModule, moduleOf, type PprofTop } from '../../cli/runs/pprof.ts';
import { bottlenecks } from '../../cli/report/sections/bottlenecks.ts';
import type { ReportInput } from '../../cli/report/input.ts';

/** Encodes stacks (leaf first) with one value each, as a Go profile with the given sample types. */
export function encodeProfile(types: string[], stacks: Array<{ stack: string[]; values: number[] }>): Uint8Array {
  const strings = new StringTable();
  const functions = new Map<string, PprofFunction>();
  const locations: Location[] = [];
  const samples = stacks.map(({ stack, values }) => {
    const ids = stack.map((name) => {
      let fn = functions.get(name);
      if (!fn) {
        fn = new PprofFunction({ id: functions.size + 1, name: strings.dedup(name) });
        functions.set(name, fn);
      }
      const location = new Location({ id: locations.length + 1, line: [new Line({ functionId: fn.id })] });
      locations.push(location);
      return location.id;
    });
    return new Sample({ locationId: ids, value: values });
  });
  const unit = strings.dedup('nanoseconds');
  const sampleType = types.map((type) => new ValueType({ type: strings.dedup(type), unit }));
  return new Profile({ sampleType, sample: samples, location: locations, function: [...functions.values()], stringTable: strings, durationNanos: 10e9 }).encode();
}

test('runtime helpers count for their caller; GC work and the scheduler for GC and runtime', () => {
  assert.equal(groupOf(['runtime.mallocgc', 'runtime.newobject', 'encoding/json.Marshal', 'loadgate/service/internal/api.writeJSON']).group, 'JSON encoding');
  assert.equal(groupOf(['runtime.scanobject', 'runtime.gcDrainN', 'runtime.gcAssistAlloc', 'runtime.mallocgc', 'encoding/json.Marshal']).group, 'GC and runtime');
  assert.equal(groupOf(['internal/runtime/syscall/linux.Syscall6', 'syscall.Syscall', 'modernc.org/libc.Xwrite']).group, 'database driver');
  assert.equal(groupOf(['internal/runtime/syscall/linux.Syscall6', 'syscall.write', 'internal/poll.(*FD).Write', 'net.(*netFD).Write', 'net/http.(*conn).serve']).group, 'HTTP stack');
  assert.equal(groupOf(['runtime.memmove', 'loadgate/service/internal/store.scanClips', 'database/sql.(*Rows).Next'], 'loadgate/service').group, "the application's own code");
  assert.equal(groupOf(['runtime.futex', 'runtime.findRunnable', 'runtime.schedule']).group, 'GC and runtime');
  assert.equal(groupOf(['runtime.memclrNoHeapPointers', 'runtime.bgscavenge']).group, 'GC and runtime');
  assert.equal(groupOf(['runtime/pprof.(*profileBuilder).flush', 'net/http.HandlerFunc.ServeHTTP']).group, 'metrics and profiling');
  assert.deepEqual(groupOf(['strconv.ParseInt', 'github.com/example/lib.Do']), { group: 'other libraries and the standard library', frame: 'strconv.ParseInt' });
});

test('shares of CPU come from the protobuf, gzipped or not, and add up to one', () => {
  const data = encodeProfile(['samples', 'cpu'], [
    { stack: ['encoding/json.structEncoder.encode', 'loadgate/service/internal/api.writeJSON'], values: [3, 30] },
    { stack: ['modernc.org/sqlite/lib._sqlite3VdbeExec', 'database/sql.(*DB).query'], values: [5, 50] },
    { stack: ['runtime.gcBgMarkWorker'], values: [2, 20] },
  ]);
  for (const bytes of [data, gzipSync(data)]) {
    const profile = decodeProfile(bytes, 'cpu');
    assert.equal(profile.total, 100);
    assert.equal(profile.durationSeconds, 10);
    const shares = Object.fromEntries(groupShares(profile).map((g) => [g.group, g.share]));
    assert.deepEqual(
      { json: shares['JSON encoding'], db: shares['database driver'], gc: shares['GC and runtime'], app: shares["the application's own code"] },
      { json: 0.3, db: 0.5, gc: 0.2, app: 0 },
    );
    assert.equal(groupShares(profile).reduce((sum, g) => sum + g.share, 0), 1);
  }
  assert.throws(() => decodeProfile(data, 'alloc_space'), /no "alloc_space" samples \(it has samples, cpu\)/);
});

test('idle waits stay out of the block analysis; waits inside a request stay in', () => {
  const flusherTick = ['runtime.selectgo', 'loadgate/service/internal/ingest.(*Buffer).run'];
  const profilerSleep = ['runtime.selectgo', 'time.Sleep', 'net/http/pprof.sleep', 'net/http/pprof.Profile', 'net/http.(*conn).serve'];
  const poolWait = ['runtime.selectgo', 'database/sql.(*DB).conn', 'loadgate/service/internal/store.(*Store).Feed', 'net/http.(*conn).serve'];
  const mutex = ['sync.(*Mutex).Lock', 'loadgate/service/internal/ingest.(*Buffer).Add'];
  assert.equal(isIdleWait(flusherTick), true);
  assert.equal(isIdleWait(profilerSleep), true);
  assert.equal(isIdleWait(poolWait), false);
  assert.equal(isIdleWait(mutex), false, 'a mutex is contention wherever it is');
  const profile = decodeProfile(
    encodeProfile(['contentions', 'delay'], [
      { stack: flusherTick, values: [1, 900] },
      { stack: profilerSleep, values: [1, 50] },
      { stack: poolWait, values: [1, 40] },
      { stack: mutex, values: [1, 10] },
    ]),
    'delay',
  );
  assert.deepEqual(blockAnalysis(profile), {
    contended: 50,
    idle: 950,
    top: [
      { name: 'database/sql.(*DB).conn', value: 40 },
      { name: 'loadgate/service/internal/ingest.(*Buffer).Add', value: 10 },
    ],
  });
});

test('REPORT.md groups hot spots with both shares, or says why it cannot', () => {
  const cpu = decodeProfile(encodeProfile(['cpu'], [{ stack: ['encoding/json.Marshal'], values: [1] }]), 'cpu');
  const missing = { ok: false as const, missing: 'x' };
  const top = (grouped: NonNullable<PprofTop['grouped']>) => ({ ok: true as const, value: { header: {}, total: '10ms', rows: [], grouped } });
  const input: ReportInput = {
    runName: 'r',
    summary: null,
    meta: null,
    metricsBefore: missing,
    metricsAfter: missing,
    database: missing,
    files: [],
    profiles: {
      cpu: top({ groups: groupShares(cpu) }),
      allocs: { ok: false, missing: 'profiles/allocs.pb.gz is missing' },
      goroutine: missing,
      block: top({ block: { contended: 2e9, idle: 5e9, top: [{ name: 'database/sql.(*DB).conn', value: 2e9 }] } }),
      mutex: missing,
    },
  };
  const text = bottlenecks(input).join('\n');
  assert.match(text, /\| JSON encoding \| 100\.00% \| n\/a \| `encoding\/json\.Marshal` \| – \|/);
  assert.match(text, /Allocations: profiles\/allocs\.pb\.gz is missing\./);
  assert.match(text, /blocked 2\.00 s in total while doing work; 5\.00 s of idle waits .* were left out\. Where they waited: `database\/sql\.\(\*DB\)\.conn` 2\.00 s \(100\.00%\)/);
});

test("the application's own code is the declared module, else the module main.main calls", () => {
  assert.equal(moduleOf('github.com/team/app/internal/api.(*Server).handle'), 'github.com/team/app');
  assert.equal(moduleOf('loadgate/service/internal/store.scanClips'), 'loadgate/service');
  assert.equal(moduleOf('net/http.(*conn).serve'), null, 'the standard library is nobody’s module');
  assert.equal(moduleOf('main.main'), null);
  const team = ['runtime.mallocgc', 'github.com/team/app/internal/api.(*Server).handle', 'net/http.HandlerFunc.ServeHTTP'];
  assert.equal(groupOf(team).group, 'HTTP stack', 'without a module a team’s code is not recognised');
  assert.equal(groupOf(team, 'github.com/team/app').group, "the application's own code");
  const profile = {
    sampleType: 'alloc_space',
    unit: 'bytes',
    total: 30,
    durationSeconds: 0,
    samples: [
      { value: 20, stack: ['runtime.mallocgc', 'github.com/team/app/internal/store.Open', 'github.com/team/app/internal/server.New', 'main.main', 'runtime.main'] },
      { value: 5, stack: ['flag.Parse', 'main.main', 'runtime.main'] },
      { value: 5, stack: ['github.com/other/lib.Do', 'net/http.(*conn).serve'] },
    ],
  };
  assert.equal(mainModule(profile), 'github.com/team/app');
  assert.equal(mainModule({ ...profile, samples: profile.samples.slice(1) }), null, 'nothing under main.main but the standard library');
});
