import type { CommandHandler, SandboxContext } from '../types.ts';

/** What a handler returns: the SDK's output shape without the metadata the sandbox adds. */
export type Out<T> = Omit<T, '$metadata'>;

/**
 * Adapts a handler typed with the SDK's command input to the sandbox's handler signature.
 *
 * @example commands = { GetUser: typed((input: GetUserCommandInput) => this.getUser(input)) };
 */
export function typed<I>(handler: (input: I, context: SandboxContext) => unknown): CommandHandler {
  // The sandbox hands over the input object the SDK client was given, so its shape is the command's input type.
  return (input, context) => handler(input as I, context);
}

/** EC2-style ids: a prefix and 8 or 17 lower-case hex digits (`i-0123456789abcdef0`). */
export function awsIdPattern(prefix: string): RegExp {
  return new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`);
}

/** An EC2 instance id, as the EC2, Auto Scaling and load-balancing models check it. */
export const INSTANCE_ID = awsIdPattern('i');
