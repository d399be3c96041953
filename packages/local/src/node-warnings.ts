/**
 * The AWS SDK warns on every process start that its releases after January 2027 need Node 22. Cordon runs on
 * Node 20.19+ (README); the warning says nothing about a run, so the CLI and the tests leave it out.
 * Every other warning is printed as usual.
 */
export function silenceSdkNodeVersionWarning(): void {
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = warning instanceof Error ? `${warning.name}: ${warning.message}` : String(warning);
    const options = rest[0] as { type?: string } | string | undefined;
    const type = typeof options === 'string' ? options : options?.type;
    if (text.includes('NodeVersionSupportWarning') || type === 'NodeVersionSupportWarning') return;
    emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
}
