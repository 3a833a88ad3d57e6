/**
 * A shell script's lines as the shell reads them: a backslash-newline (and
 * the indentation after it) joins two lines into one command.
 */
export function shellCommands(script: string): string[] {
  return script.replace(/ ?\\\n */g, ' ').split('\n');
}
