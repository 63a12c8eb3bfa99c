// wgsl_reflect ships typings only for its bare name, whose `main` is an empty module under Node 20
// (research/runtimes.md section 3): the analyzer imports the ES module file, typed as the package.
declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
