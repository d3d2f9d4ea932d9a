// client-go's reflector + store for one resource of the management cluster: list (in pages) then
// watch from the list's resourceVersion, keep every object in a cache keyed by namespace/name, and
// hand each change to the handler. A broken stream is watched again from the last revision seen
// (bookmarks keep it fresh); a 410 Gone lists again. At rest this is one open watch per published
// resource, however many tenants and objects: no polling.

import { DownstreamError, type DownstreamClient, type WatchHandle } from './client.js';

export type Obj = Record<string, unknown>;

export interface DownstreamHandlers {
  onUpsert(obj: Obj, old: Obj | undefined): void;
  onDelete(obj: Obj): void;
  /** The first list is in the cache (every object was handed over once). */
  onSynced?(): void;
  onError?(err: Error): void;
}

const PAGE = 500;

export function metaOf(o: Obj): { name?: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string>; uid?: string; generation?: number; deletionTimestamp?: string } {
  return (o.metadata ?? {}) as ReturnType<typeof metaOf>;
}

export function cacheKey(namespace: string | undefined, name: string | undefined): string {
  return namespace ? `${namespace}/${name}` : `${name}`;
}

export class DownstreamInformer {
  readonly cache = new Map<string, Obj>();
  private handle: WatchHandle | undefined;
  private timer: NodeJS.Timeout | undefined;
  private rv = '';
  private stopped = false;
  private synced = false;
  private failures = 0;

  constructor(private readonly client: DownstreamClient, private readonly path: string, private readonly query: Record<string, string>,
    private readonly handlers: DownstreamHandlers) {}

  get hasSynced(): boolean {
    return this.synced;
  }

  start(): void {
    void this.relist();
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    try {
      const seen = new Set<string>();
      let cont = '';
      let rv = '';
      do {
        const q = new URLSearchParams({ ...this.query, limit: String(PAGE) });
        if (cont) q.set('continue', cont);
        const list = await this.client.get(`${this.path}?${q}`);
        const meta = (list.metadata ?? {}) as { resourceVersion?: string; continue?: string };
        rv = meta.resourceVersion ?? rv;
        cont = meta.continue ?? '';
        for (const item of (list.items ?? []) as Obj[]) {
          const m = metaOf(item);
          const k = cacheKey(m.namespace, m.name);
          seen.add(k);
          const old = this.cache.get(k);
          this.cache.set(k, item);
          if (!old || metaOf(old).resourceVersion !== m.resourceVersion) this.handlers.onUpsert(item, old);
        }
      } while (cont && !this.stopped);
      for (const [k, old] of this.cache) {
        if (!seen.has(k)) {
          this.cache.delete(k);
          this.handlers.onDelete(old);
        }
      }
      this.rv = rv;
      this.failures = 0;
      if (!this.synced) {
        this.synced = true;
        this.handlers.onSynced?.();
      }
      this.watch();
    } catch (e) {
      this.handlers.onError?.(e as Error);
      this.retry(() => this.relist());
    }
  }

  private watch(): void {
    if (this.stopped) return;
    const started = Date.now();
    let gone = false;
    this.handle = this.client.watch(this.path, { ...this.query, resourceVersion: this.rv }, (ev) => {
      if (ev.type === 'ERROR') {
        const code = (ev.object as { code?: number }).code;
        if (code === 410) gone = true;
        return;
      }
      const m = metaOf(ev.object);
      if (m.resourceVersion) this.rv = m.resourceVersion;
      if (ev.type === 'BOOKMARK') return;
      const k = cacheKey(m.namespace, m.name);
      if (ev.type === 'DELETED') {
        this.cache.delete(k);
        this.handlers.onDelete(ev.object);
      } else {
        const old = this.cache.get(k);
        this.cache.set(k, ev.object);
        this.handlers.onUpsert(ev.object, old);
      }
    }, (err) => {
      this.handle = undefined;
      if (this.stopped) return;
      if (err) this.handlers.onError?.(err);
      if (gone || (err instanceof DownstreamError && err.code === 410)) {
        this.retry(() => this.relist(), true);
        return;
      }
      // a stream that ended normally after a while (the server's timeout) is resumed at once
      if (!err && Date.now() - started > 1000) {
        this.failures = 0;
        this.watch();
        return;
      }
      this.retry(() => (err instanceof DownstreamError && err.code >= 400 ? this.relist() : this.watch()));
    });
  }

  private retry(fn: () => void | Promise<void>, now = false): void {
    if (this.stopped) return;
    const delay = now ? 0 : Math.min(100 * 2 ** this.failures++, 10_000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void fn();
    }, delay);
  }

  stop(): void {
    this.stopped = true;
    this.handle?.stop();
    if (this.timer) clearTimeout(this.timer);
  }
}
