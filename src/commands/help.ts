import type { Command } from 'commander';
import { environmentHelp } from '../base/config/environment-variables.js';
import { UsageError } from '../base/model/errors.js';
import type { Runtime } from '../engine/runtime.js';
import type { GlobalOptions } from '../engine/session.js';

/** Topics `fsops help <topic>` knows besides the commands. */
const TOPICS: Record<string, () => string> = {
  environment: environmentHelp,
};

/** `fsops help [command...]`: a command's help, or a topic (`fsops help environment`). */
export async function help(
  words: string[],
  _options: GlobalOptions,
  runtime: Runtime,
  program: Command,
): Promise<number> {
  const topic = words.length === 1 ? TOPICS[words[0]!] : undefined;
  if (topic) {
    runtime.stdout.write(topic());
    return 0;
  }
  let command = program;
  for (const word of words) {
    const sub = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!sub) {
      const topics = Object.keys(TOPICS).join(', ');
      throw new UsageError(
        `no command or help topic '${words.join(' ')}': see fsops --help for the commands; topics: ${topics}`,
      );
    }
    command = sub;
  }
  command.outputHelp();
  return 0;
}
