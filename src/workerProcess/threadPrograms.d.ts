// The programs of the worker's threads, inlined as text by scripts/build.mjs.
declare module 'rrq:task-host' {
  const source: string;
  export default source;
}

declare module 'rrq:heartbeat' {
  const source: string;
  export default source;
}
