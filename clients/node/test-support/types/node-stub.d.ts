// The few Node types the declarations use, for type-checking them where `@types/node` cannot be
// installed (no npm registry). Users get the real ones from `@types/node`.
declare module 'node:events' {
  export class EventEmitter {
    on(event: string | symbol, listener: (...args: any[]) => void): this;
    once(event: string | symbol, listener: (...args: any[]) => void): this;
    off(event: string | symbol, listener: (...args: any[]) => void): this;
  }
}
declare namespace NodeJS {
  type Signals = string;
}
interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
}
declare var AbortSignal: { prototype: AbortSignal; abort(reason?: unknown): AbortSignal };
declare var console: { log(...values: unknown[]): void };
