// Node flags the editor starts the language server with (client/extension.ts; the tests and benches
// use them too). A 4 MB young-generation semi-space instead of V8's 16 MB: with 50 files opened at
// once the peak RSS was 119-129 MiB with it and 136-158 MiB without (bench/server-scale.ts, same
// machine and load), for no measurable change in analysis time.
export const SERVER_EXEC_ARGV = ['--max-semi-space-size=4'];
