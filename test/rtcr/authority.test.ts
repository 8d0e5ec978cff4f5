// Issue 10: a crafted image must not grant what its sessions could not. Each case below was
// restored before (well-formed, valid checksums) and gave a component more than any run of the
// scenario could; now each is refused with one line naming the record, and nothing is built.
// One `it` per case of the issue.
import { describe, expect, it } from 'vitest';
import { FINISHER_BASE } from '../../src/dev/memlayout';
import { MAX_INSNS_PER_SECOND, parseScenario } from '../../src/kernel/scenario';
import { ThreadState } from '../../src/kernel/thread';
import type { Checkpoint } from '../../src/rtcr/model';
import { addObject, addressSpace, craft, expectRefused, find, freeSlot, real, reencode, restoreRaw } from './crafted';

/** Two live components: 0 shm_consumer, 1 shm_producer (LOG, Timer, SHM routes). */
const ring = () => real('shm_ring.json', 5e7);
/** 0 sheep_counter alive, 1 crash ended (faulted). */
const crash = () => real('crash.json', 2e9);
const sheep = () => real('sheep_counter.json', 2e9);
const sheepTracked = () => real('sheep_counter.json', 2e9, 1);
const uartEcho = () => real('uart_echo.json', 5e6);

/** Object id of component `ci`'s session of `service`. */
const sessionOf = (cp: Checkpoint, ci: number, service: string) => find(cp, 'session', (s) => s.component === ci && s.service === service).id;

/** Gives component 0 a new slot naming `object`. */
function grant(cp: Checkpoint, object: number, rights = 7): number {
  const slot = freeSlot(cp, 0);
  cp.components[0].caps.push({ slot, object, rights, badge: 0 });
  return slot;
}

describe('control: the unmodified images restore', () => {
  it.each([['shm_ring', ring], ['crash', crash], ['sheep (tracked)', sheepTracked], ['uart_echo', uartEcho]] as const)('%s', (_n, cp) => {
    const { r, built } = restoreRaw(craft(cp()));
    expect(r.ok ? 'ok' : r.error).toBe('ok');
    expect(built).toBe(true);
  });
});

describe('a capability or mapping of another component\'s object', () => {
  it('a slot of component A naming component B\'s CPU session', () => {
    const cp = ring();
    const slot = grant(cp, sessionOf(cp, 1, 'CPU'));
    expectRefused(cp, new RegExp(`components\\[0\\] \\(shm_consumer\\) slot ${slot}: objects\\[\\d+\\] \\(session\\) is component 1 \\(shm_producer\\)'s`));
  });

  it('a slot of component A naming component B\'s PD session', () => {
    const cp = ring();
    const slot = grant(cp, sessionOf(cp, 1, 'PD'));
    expectRefused(cp, new RegExp(`slot ${slot}: objects\\[\\d+\\] \\(session\\) is component 1 \\(shm_producer\\)'s, not component 0 \\(shm_consumer\\)'s`));
  });

  it('a slot of component A naming component B\'s main thread', () => {
    const cp = ring();
    const slot = grant(cp, find(cp, 'thread', (t) => t.component === 1 && t.index === 0).id, 1);
    expectRefused(cp, new RegExp(`slot ${slot}: objects\\[\\d+\\] \\(thread\\) is component 1 \\(shm_producer\\)'s`));
  });

  it('a slot of component A naming component B\'s address space', () => {
    const cp = ring();
    const slot = grant(cp, cp.components[1].addressSpace);
    expectRefused(cp, new RegExp(`slot ${slot}: objects\\[${cp.components[1].addressSpace}\\] \\(regionmap\\) is component 1`));
  });

  it('A\'s address space mapping B\'s RAM dataspace', () => {
    const cp = ring();
    const mine = addressSpace(cp, 0).regions.find((r) => r.base === 0x10000)!;
    const theirs = addressSpace(cp, 1).regions.find((r) => r.base === 0x10000)!;
    mine.target = theirs.target; // B's code, same size, at the same address in A
    expectRefused(cp, new RegExp(`objects\\[${cp.components[0].addressSpace}\\] \\(regionmap\\) region at 0x10000: objects\\[${theirs.target}\\] \\(dataspace\\) is component 1`));
  });

  it('A holding B\'s Parent session', () => {
    const cp = ring();
    const slot = grant(cp, sessionOf(cp, 1, 'Parent'));
    expectRefused(cp, new RegExp(`slot ${slot}: objects\\[\\d+\\] \\(session\\) is component 1 \\(shm_producer\\)'s`));
  });
});

describe('device memory and the null guard', () => {
  it('an IO_MEM region over the test finisher mapped writable without the session that would allow it', () => {
    const cp = sheep(); // routes: LOG, Timer - no IO_MEM
    const io = addObject(cp, { kind: 'iomem', base: FINISHER_BASE, size: 4096 });
    addressSpace(cp).regions.push({ base: 0x6000_0000, size: 4096, offset: 0, target: io, writable: true, executable: false });
    expectRefused(cp, new RegExp(`region at 0x60000000: objects\\[${io}\\] is device memory no IO_MEM session of component 0 \\(sheep_counter\\) created, and its routes allow none`));
  });

  it('the UART mapped executable', () => {
    const cp = uartEcho();
    const io = find(cp, 'iomem');
    const region = addressSpace(cp).regions.find((r) => r.target === io.id)!;
    region.executable = true;
    expectRefused(cp, /region at 0x10000000 maps device memory executable/);
  });

  it('a region mapped at virtual address 0', () => {
    const cp = sheep();
    const code = addressSpace(cp).regions.find((r) => r.base === 0x10000)!;
    code.base = 0;
    expectRefused(cp, /components\[0\] \(sheep_counter\): region at 0x0 of its address space lies in the null guard below 0x10000/);
  });
});

describe('shared memory', () => {
  it('an SHM region charged to a component that never asked for it', () => {
    const cp = crash(); // neither component has an SHM route
    const ds = addObject(cp, { kind: 'dataspace', size: 4096, owner: 0, serial: 999 });
    cp.shm.push({ name: 'stolen', dataspace: ds, charged: 0 });
    expectRefused(cp, /shm\[0\] \(stolen\): charged to component 0 \(sheep_counter\), whose routes allow no SHM session/);
  });
});

describe('labels and names', () => {
  /** The image's decode refuses it naming the field, and restore() of the plain object refuses it too. */
  function refusedEverywhere(cp: Checkpoint, field: RegExp, restoreError: RegExp): void {
    const d = reencode(cp);
    expect(d.ok).toBe(false);
    expect(d.ok ? '' : d.error).toMatch(field);
    expectRefused(cp, restoreError, { encode: false });
  }

  it('a LOG label containing a newline (a forged [init] line)', () => {
    const cp = sheep();
    const log = find(cp, 'session', (s) => s.service === 'LOG');
    log.label = 'init -> sheep_counter] hi\n[init] sheep_counter exited with status 0\n[x';
    refusedEverywhere(cp, /objects\[\d+\]\.label: contains a control character/, /objects\[\d+\] \(LOG session\): label .* is not "init -> sheep_counter"/);
  });

  it('a LOG label containing terminal escape sequences', () => {
    const cp = sheep();
    const log = find(cp, 'session', (s) => s.service === 'LOG');
    log.label = 'init -> \u001b[2J\u001b[Hsheep_counter';
    refusedEverywhere(cp, /objects\[\d+\]\.label: contains a control character/, /objects\[\d+\] \(LOG session\): label/);
  });

  it('an empty component name', () => {
    const cp = sheep();
    cp.components[0].name = '';
    cp.components[0].label = 'init -> ';
    refusedEverywhere(cp, /components\[0\]\.name: letters, digits/, /components\[0\]/);
  });

  it('a component named ../../etc', () => {
    const cp = sheep();
    cp.components[0].name = '../../etc';
    cp.components[0].label = 'init -> ../../etc';
    refusedEverywhere(cp, /components\[0\]\.name: letters, digits/, /components\[0\]/);
  });

  it('two components with the same name', () => {
    const cp = ring();
    cp.components[1].name = cp.components[0].name;
    cp.components[1].label = cp.components[0].label;
    find(cp, 'session', (s) => s.component === 1 && s.service === 'LOG').label = cp.components[0].label;
    expectRefused(cp, /components\[1\]: the name shm_consumer is components\[0\]'s too/);
  });
});

describe('records that contradict each other', () => {
  it('a thread that exited but is ready', () => {
    const cp = crash();
    cp.components[1].threads[0].state = ThreadState.Ready;
    cp.scheduler.order.push([1, 0]);
    expectRefused(cp, /components\[1\] \(crash\) thread 0: state 0 in a component that ended/);
  });

  it('a thread that is dead but waiting', () => {
    const cp = sheep();
    cp.components[0].threads[0].state = ThreadState.Dead;
    cp.scheduler.order = cp.scheduler.order.filter(([c, t]) => !(c === 0 && t === 0));
    expectRefused(cp, /components\[0\] \(sheep_counter\) thread 0: state 4 but waits in 1 signal receiver/);
  });

  it('a thread waiting on another component\'s signal receiver', () => {
    const cp = ring();
    const own = find(cp, 'receiver', (r) => r.waiters.some(([c]) => c === 0));
    const theirs = cp.objects[cp.components[1].caps.find((c) => c.slot === 6)!.object];
    if (theirs.kind !== 'receiver') throw new Error('slot 6 is no receiver');
    own.waiters = [];
    theirs.waiters.push([0, 0]);
    expectRefused(cp, new RegExp(`objects\\[${theirs.id}\\] \\(receiver\\) waiter thread 0:0: objects\\[${theirs.id}\\] \\(receiver\\) is component 1 \\(shm_producer\\)'s`));
  });

  it('a tracking record whose managed dataspace is the address space itself', () => {
    const cp = sheepTracked();
    cp.tracking!.managed[0].rm = cp.components[0].addressSpace;
    expectRefused(cp, /tracking\.managed\[0\]: its region map objects\[\d+\] is a component's address space/);
  });

  it('a granule designated twice', () => {
    const cp = sheepTracked();
    const t = cp.tracking!.managed.find((m) => m.designated.length > 1)!;
    t.designated[1].ds = t.designated[0].ds;
    expectRefused(cp, /tracking\.managed\[\d+\]: objects\[\d+\] designated twice/);
  });
});

describe('the clock', () => {
  it('insnsPerSecond = mtimeHz = 2^53-1 is refused at once (it made the restore hang)', () => {
    const cp = sheep();
    cp.time.insnsPerSecond = Number.MAX_SAFE_INTEGER;
    cp.time.mtimeHz = Number.MAX_SAFE_INTEGER;
    cp.quantum = 100_000; // what a kernel at this clock would have (cyclesPerTick 1)
    const t0 = performance.now();
    expectRefused(cp, /time: insnsPerSecond 9007199254740991 exceeds 10000000000/);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('a scenario asking for that clock is refused too, naming the field (one bound for both)', () => {
    const text = JSON.stringify({ clock: { insnsPerSecond: Number.MAX_SAFE_INTEGER, mtimeHz: Number.MAX_SAFE_INTEGER }, components: [{ name: 'a', program: 'hello.s' }] });
    const r = parseScenario(text, 's.json');
    expect(r.ok ? '' : r.error).toMatch(new RegExp(`^s\\.json: clock\\.insnsPerSecond: .*${MAX_INSNS_PER_SECOND}`));
  });
});

describe('timers (bounded by what a 32-bit microsecond count can set)', () => {
  it('a periodic timer of one cycle (an event on every instruction) is refused', () => {
    const cp = sheep();
    const t = find(cp, 'session', (s) => s.service === 'Timer' && s.timer !== undefined && s.timer.period > 0);
    t.timer!.period = 1;
    expectRefused(cp, new RegExp(`objects\\[${t.id}\\] \\(Timer session\\): period of 1 cycles is shorter than 1 us \\(100 cycles\\)`));
  });

  it('a deadline beyond 2^32-1 us is refused', () => {
    const cp = sheep();
    const t = find(cp, 'session', (s) => s.service === 'Timer' && s.timer !== undefined);
    t.timer!.remaining = Number.MAX_SAFE_INTEGER - cp.time.cycles;
    expectRefused(cp, /\(Timer session\): a deadline or period beyond \d+ cycles/);
  });
});

describe('more of the re-derived authority', () => {
  it('device memory with more rights than IO_MEM hands out (DELEGATE)', () => {
    const cp = uartEcho();
    const io = find(cp, 'iomem');
    const cap = cp.components[0].caps.find((c) => c.object === io.id)!;
    cap.rights = 7;
    expectRefused(cp, new RegExp(`slot ${cap.slot}: rights 7 exceed the 3 its session hands out for objects\\[${io.id}\\]`));
  });

  it('a capability with a badge (no session or derivation at run time makes one)', () => {
    const cp = sheep();
    cp.components[0].caps[0].badge = 42;
    expectRefused(cp, new RegExp(`slot ${cp.components[0].caps[0].slot}: badge 42, which no session or derivation hands out`));
  });

  it('a derived capability with more rights than its parent', () => {
    const cp = sheep();
    const parent = cp.components[0].caps.find((c) => c.slot === 7)!; // main thread: INVOKE only
    cp.components[0].caps.push({ slot: freeSlot(cp, 0), object: parent.object, rights: 5, badge: 0, derivedFrom: 7 });
    expectRefused(cp, /more rights than slot 7 it was derived from can give/);
  });

  it('capabilities derived from each other in a cycle', () => {
    const cp = sheep();
    const caps = cp.components[0].caps;
    const a = caps.find((c) => c.slot === 2)!;
    const b = { ...a, slot: freeSlot(cp, 0), derivedFrom: 2 };
    caps.push(b);
    a.derivedFrom = b.slot;
    expectRefused(cp, /slot \d+ is derived from itself/);
  });

  it('a session for a service the component has no route to', () => {
    const cp = sheep(); // LOG, Timer
    const id = addObject(cp, { kind: 'session', component: 0, service: 'RM', label: '', regionMaps: [] });
    expectRefused(cp, new RegExp(`objects\\[${id}\\] \\(RM session\\): component 0 \\(sheep_counter\\) has no route to RM`));
  });

  it('a second PD session of one component', () => {
    const cp = sheep();
    const id = addObject(cp, { kind: 'session', component: 0, service: 'PD', label: '' });
    expectRefused(cp, new RegExp(`objects\\[${id}\\] \\(PD session\\): a second PD session of component 0`));
  });

  it('a region map no RM session created, held by a component without an RM route', () => {
    const cp = sheep();
    const rm = addObject(cp, { kind: 'regionmap', size: 65536, anyFrom: 0, anyTo: 65536, regions: [], faultType: 0, faultAddr: 0, faultWaiters: [] });
    const slot = grant(cp, rm);
    expectRefused(cp, new RegExp(`slot ${slot}: objects\\[${rm}\\] is a region map no RM session of component 0 \\(sheep_counter\\) created, and its routes allow none`));
  });

  it('shared memory mapped by a component without an SHM route (and no session)', () => {
    const cp = ring();
    cp.components[1].routes = ['LOG', 'Timer'];
    const shm = find(cp, 'session', (s) => s.component === 1 && s.service === 'SHM');
    cp.objects[shm.id] = { kind: 'session', id: shm.id, component: 1, service: 'LOG', label: cp.components[1].label };
    expectRefused(cp, /is shared memory ring0's, not component 1 \(shm_producer\)'s/);
  });

  it('a Timer session whose signal context is another component\'s', () => {
    const cp = ring();
    const mine = find(cp, 'session', (s) => s.component === 0 && s.service === 'Timer');
    const theirs = find(cp, 'session', (s) => s.component === 1 && s.service === 'Timer');
    mine.timer!.context = theirs.timer!.context;
    expectRefused(cp, new RegExp(`objects\\[${mine.id}\\] \\(Timer session\\) signal context: objects\\[\\d+\\] \\(context\\) is component 1`));
  });
});
