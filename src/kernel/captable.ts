// Per-task capability tables: slot -> (object, rights, badge), with the derivation tree that
// revocation follows across tables.

import { RIGHT_DELEGATE, type KObject } from './object';

export const CAP_SLOTS = 256;

export interface Capability {
  readonly obj: KObject;
  readonly rights: number;
  readonly badge: number;
  readonly table: CapTable;
  readonly slot: number;
  /** The capability this one was derived from (undefined for an original). */
  readonly parent: Capability | undefined;
  readonly children: Capability[];
}

export class CapTable {
  private readonly slots: (Capability | undefined)[];

  /** A table of `size` slots (slot 0 is never used). */
  constructor(readonly capacity = CAP_SLOTS) {
    this.slots = new Array<Capability | undefined>(capacity).fill(undefined);
  }

  /** The capability in `slot`, if the slot is valid and full. */
  get(slot: number): Capability | undefined {
    return Number.isInteger(slot) && slot > 0 && slot < this.capacity ? this.slots[slot] : undefined;
  }

  /** Installs a capability in `slot` (or the lowest free slot); returns the slot, or -1 if full. */
  insert(obj: KObject, rights: number, badge = 0, parent?: Capability, slot?: number): number {
    const s = slot ?? this.slots.findIndex((c, i) => i > 0 && c === undefined);
    if (s <= 0 || s >= this.capacity || this.slots[s] !== undefined) return -1;
    const cap: Capability = { obj, rights, badge, table: this, slot: s, parent, children: [] };
    this.slots[s] = cap;
    parent?.children.push(cap);
    return s;
  }

  /**
   * Derives a capability from `from` into this table with rights narrowed by `mask`; `from` must
   * carry DELEGATE. Returns the slot, -1 if the table is full, -2 without the right.
   */
  derive(from: Capability, mask: number): number {
    if ((from.rights & RIGHT_DELEGATE) === 0) return -2;
    return this.insert(from.obj, from.rights & mask, from.badge, from);
  }

  /** Removes the capability in `slot` and everything derived from it. */
  remove(slot: number): void {
    const cap = this.get(slot);
    if (cap === undefined) return;
    revokeChildren(cap);
    this.slots[slot] = undefined;
    if (cap.parent !== undefined) {
      const i = cap.parent.children.indexOf(cap);
      if (i >= 0) cap.parent.children.splice(i, 1);
    }
  }

  /** Every full slot, in slot order. */
  entries(): Capability[] {
    return this.slots.filter((c): c is Capability => c !== undefined);
  }

  /** Number of full slots. */
  get size(): number {
    return this.entries().length;
  }
}

/** True while `cap` is still installed (not deleted, not revoked through its parent). */
export function isLive(cap: Capability): boolean {
  return cap.table.get(cap.slot) === cap;
}

/** Removes every capability derived from `cap`, in whichever table it lives. */
export function revokeChildren(cap: Capability): void {
  for (const child of [...cap.children]) child.table.remove(child.slot);
  cap.children.length = 0;
}
