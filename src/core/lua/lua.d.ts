// Lua files are imported as text (esbuild's text loader, scripts/build.mjs).
declare module '*.lua' {
  const source: string;
  export default source;
}
