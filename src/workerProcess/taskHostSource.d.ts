// The task thread's program, inlined as text by scripts/build.mjs.
declare module 'rrq:task-host' {
  const source: string;
  export default source;
}
