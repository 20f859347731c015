// Replaced at build time by esbuild's `define`; the fallback serves type-checking only.
declare const __RRQ_VERSION__: string | undefined;
export const VERSION: string = typeof __RRQ_VERSION__ === 'string' ? __RRQ_VERSION__ : '0.0.0-dev';
