// Bad usage of a command (a missing or malformed option): the CLI prints it and exits 2.

export class UsageError extends Error {}
