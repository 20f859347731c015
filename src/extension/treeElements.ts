// The elements of the Workers view: what VS Code hands to the commands of its menus.

/** A worker row. */
export interface WorkerElement {
  readonly kind: 'worker';
  readonly id: string;
}

/** A detail row under a worker (host, pid, ...). */
export interface DetailElement {
  readonly kind: 'detail';
  readonly workerId: string;
  readonly key: string;
}

export type TreeElement = WorkerElement | DetailElement;

export function isTreeElement(x: unknown): x is TreeElement {
  return typeof x === 'object' && x !== null && ((x as TreeElement).kind === 'worker' || (x as TreeElement).kind === 'detail');
}

/** The worker a row belongs to. */
export function workerOf(e: TreeElement): string {
  return e.kind === 'worker' ? e.id : e.workerId;
}
