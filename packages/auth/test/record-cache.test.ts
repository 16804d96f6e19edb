// The record cache over a store that answers with promises (PostgreSQL): a due look at the store is
// waited for, shared by the requests that arrive meanwhile, and a failed look fails them (closed),
// then is tried again; records held and no look due are answered at once.
import { describe, expect, it } from 'vitest';
import { createRecordCache, externalChangeCheck } from '../src/record-cache.js';

function deferredVersions() {
  const pending: Array<{ resolve: (v: number) => void; reject: (e: Error) => void }> = [];
  return {
    pending,
    version: () =>
      new Promise<number>((resolve, reject) => {
        pending.push({ resolve, reject });
      }),
  };
}

describe('externalChangeCheck with a promised version', () => {
  it('starts a look at once, shares each look among callers, reports a change once, and waits recheckMs between looks', async () => {
    let now = 0;
    const versions = deferredVersions();
    const changed = externalChangeCheck(versions.version, { recheckMs: 100, now: () => now });
    expect(versions.pending).toHaveLength(1); // the first look, begun at construction
    const a = changed();
    const b = changed();
    expect(a).toBe(b);
    expect(versions.pending).toHaveLength(1); // the callers wait for that look, no second read
    versions.pending.shift()?.resolve(1);
    expect(await a).toBe(false); // the first version is no change
    expect(changed()).toBe(false); // within recheckMs: no look, no promise
    expect(versions.pending).toHaveLength(0);
    now += 100;
    const c = changed();
    expect(versions.pending).toHaveLength(1);
    versions.pending.shift()?.resolve(2);
    expect(await c).toBe(true);
    now += 100;
    const d = changed();
    versions.pending.shift()?.resolve(2);
    expect(await d).toBe(false);
  });

  it('a look that fails rejects its waiters and the next call looks again', async () => {
    const versions = deferredVersions();
    const changed = externalChangeCheck(versions.version, { recheckMs: 100, now: () => 0 });
    const first = changed();
    versions.pending.shift()?.reject(new Error('down'));
    await expect(first).rejects.toThrow('down');
    const second = changed();
    expect(second).toBeInstanceOf(Promise);
    expect(versions.pending).toHaveLength(1);
    versions.pending.shift()?.reject(new Error('still down'));
    await expect(second).rejects.toThrow('still down');
    const third = changed();
    versions.pending.shift()?.resolve(7);
    expect(await third).toBe(false);
  });

  it('a first look that fails with nobody waiting is looked at again by the first caller', async () => {
    const versions = deferredVersions();
    const changed = externalChangeCheck(versions.version, { recheckMs: 100, now: () => 0 });
    versions.pending.shift()?.reject(new Error('down at start'));
    await new Promise((resolve) => setTimeout(resolve, 0));
    const later = changed();
    expect(versions.pending).toHaveLength(1);
    versions.pending.shift()?.resolve(3);
    expect(await later).toBe(false);
  });
});

describe('createRecordCache over a promised store', () => {
  it('answers a held record at once, and refuses to answer while the store cannot be asked', async () => {
    let now = 0;
    let version = 1;
    let down = false;
    const reads: string[] = [];
    const store = {
      localWrites: 0,
      externalVersion: async () => {
        if (down) throw new Error('database unavailable');
        return version;
      },
    };
    const cache = createRecordCache<{ id: string; v: number }>(
      store,
      async (id) => {
        reads.push(id);
        return { id, v: version };
      },
      { recheckMs: 100, now: () => now },
    );
    expect(await cache.get('k')).toEqual({ id: 'k', v: 1 });
    expect(cache.get('k')).toEqual({ id: 'k', v: 1 }); // held, no look due: not a promise
    now += 100;
    down = true;
    await expect(cache.get('k')).rejects.toThrow('database unavailable');
    down = false;
    version = 2;
    expect(await cache.get('k')).toEqual({ id: 'k', v: 2 }); // the change was seen: read again
    expect(reads).toEqual(['k', 'k']);
  });

  it('a read that began before a local write is not kept', async () => {
    const store = { localWrites: 0, externalVersion: async () => 1 };
    const reads: Array<() => void> = [];
    let value = 'old';
    const cache = createRecordCache<string>(
      store,
      () =>
        new Promise((resolve) => {
          const read = value; // what the database held when the read began
          reads.push(() => resolve(read));
        }),
      { now: () => 0 },
    );
    const reading = cache.get('k');
    await new Promise((r) => setTimeout(r, 0)); // the first look settles; the read is under way
    value = 'new';
    store.localWrites++; // a revocation through this store, committed while the read is under way
    reads.shift()?.();
    expect(await reading).toBe('old'); // that request saw the database as it was
    const again = cache.get('k'); // notices the write; the old read was not kept
    expect(again).toBeInstanceOf(Promise);
    reads.shift()?.();
    expect(await again).toBe('new');
    expect(cache.get('k')).toBe('new');
  });
});
