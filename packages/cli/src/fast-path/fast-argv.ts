/**
 * A client command the fast path runs without commander (issue 12): `x --version`,
 * `x agent list|ls`, `x agent status`, `x daemon status`, with the global options `--home`
 * and `--json`.
 */
export type FastCommand =
  | { readonly kind: 'version' }
  | {
      readonly kind: 'agent-list';
      readonly home?: string;
      readonly json: boolean;
      readonly all: boolean;
    }
  | {
      readonly kind: 'agent-status';
      readonly home?: string;
      readonly json: boolean;
      readonly ref: string;
      readonly iterations: number;
    }
  | { readonly kind: 'daemon-status'; readonly home?: string; readonly json: boolean };

/** `x agent status --iterations`'s default, as program.ts declares it: 5. */
export const STATUS_ITERATIONS_DEFAULT = 5;

/** The words naming each fast command, as `x <words>` (aliases included). */
const COMMANDS: Readonly<Record<string, FastCommand['kind']>> = {
  'agent list': 'agent-list',
  'agent ls': 'agent-list',
  'agent status': 'agent-status',
  'daemon status': 'daemon-status',
};

/** Options taking a value: the next argument (`--home <dir>`). */
const VALUE_OPTIONS = new Set(['--home', '--name', '--iterations']);

/**
 * The fast command `args` (`process.argv.slice(2)`) names, or undefined for anything else:
 * then commander parses it. Only the plain spelling of each option is taken (`--home <dir>`,
 * not `--home=<dir>`; `-a`, not bundled short flags), each at most once; a value that looks
 * like an option, an unknown word or option, a second positional, `--` or `--help` all go to
 * commander, so that whatever is taken here means what commander would make of it and every
 * usage error keeps commander's message and hint. Global options (`--home`, `--json`) may
 * stand anywhere, as commander allows; a command's own options only after its words.
 */
export function parseFastArgv(args: readonly string[]): FastCommand | undefined {
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
    return { kind: 'version' };
  }
  let json = false;
  const words: string[] = [];
  const positionals: string[] = [];
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    const global = arg === '--json' || arg === '--home';
    if (options.has(arg) || (arg === '--json' && json)) {
      return undefined;
    }
    if (arg === '--json') {
      json = true;
    } else if (VALUE_OPTIONS.has(arg)) {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('-') || (!global && words.length < 2)) {
        return undefined;
      }
      options.set(arg, value);
      i += 1;
    } else if (arg === '-a' || arg === '--all') {
      if (words.length < 2 || options.has('--all')) {
        return undefined;
      }
      options.set('--all', '');
    } else if (arg.startsWith('-')) {
      return undefined;
    } else if (words.length < 2) {
      words.push(arg);
    } else {
      positionals.push(arg);
    }
  }
  const kind = COMMANDS[words.join(' ')];
  const home = options.get('--home');
  options.delete('--home');
  const globals = { ...(home === undefined ? {} : { home }), json };
  const only = (...allowed: string[]) => [...options.keys()].every((o) => allowed.includes(o));
  switch (kind) {
    case 'agent-list':
      return positionals.length === 0 && only('--all')
        ? { kind, ...globals, all: options.has('--all') }
        : undefined;
    case 'daemon-status':
      return positionals.length === 0 && options.size === 0 ? { kind, ...globals } : undefined;
    case 'agent-status': {
      // Neither names the run: commander's path reports it, with the usage hint.
      const ref = positionals[0] ?? options.get('--name');
      const iterations = parseIterations(options.get('--iterations'));
      return positionals.length <= 1 &&
        only('--name', '--iterations') &&
        ref !== undefined &&
        iterations !== undefined
        ? { kind, ...globals, ref, iterations }
        : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * `--iterations` (default 5) where program.ts's parseNonNegativeInt surely takes it (up to 9
 * digits: Number() is exact there), else undefined: commander's path then parses it, or
 * reports the usage error. (option-parsers.js is not imported: it loads commander.)
 */
function parseIterations(value: string | undefined): number | undefined {
  if (value === undefined) {
    return STATUS_ITERATIONS_DEFAULT;
  }
  return /^[0-9]{1,9}$/.test(value) ? Number(value) : undefined;
}
