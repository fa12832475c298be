#!/usr/bin/env node
/**
 * The `sluice` command. `sluice run` loads only the engine and the config parser, so a job starts
 * in a fraction of a second; every other command loads the server's modules (cli-commands.ts).
 */
const argv = process.argv.slice(2);
if (argv[0] === 'run') {
  // The job's worker process boots while this one loads the parser and checks the config.
  const { EmbeddedEngine } = await import('./modules/engine/engine.js');
  const engine = new EmbeddedEngine({ cwd: process.cwd() });
  engine.warmUp();
  try {
    const [{ runCommand }, { environmentVariables }] = await Promise.all([
      import('./cli-run.js'),
      import('./config.js'),
    ]);
    process.exitCode = await runCommand(argv.slice(1), environmentVariables(), process.stdout, process.stderr, engine);
  } finally {
    engine.close();
  }
} else {
  const { main } = await import('./cli-commands.js');
  process.exitCode = await main(argv);
}

export {};
