/**
 * The one module that imports zod: every schema in Cordon is built with `import * as z from '…/zod.ts'`.
 *
 * It is `zod/mini`, the functional API of the same package, which bundlers can tree-shake: a Lambda bundle
 * carries only the schemas and checks it uses (≈ 20 KiB), where classic zod (`'zod'`) brings ≈ 445 KiB
 * minified to every function. Import it as a namespace (`import * as z`): esbuild tree-shakes `z.string()`
 * on a namespace import, but not on zod's own `z` object (`import { z }`), which pulls in all of zod/mini
 * and every locale. A conformance test checks both, on a real handler bundle.
 *
 * Unlike classic zod, `zod/mini` installs no locale, and every issue would read "Invalid input". English is
 * installed here, on first import, the way classic zod does it (only when no locale is set yet), so that the
 * reasons Cordon reports — a rejected finding, an invalid action input, invalid settings — read as before.
 *
 * @example
 * import * as z from '../zod.ts';
 * const Input = z.strictObject({ instanceId: z.string().check(z.regex(/^i-[0-9a-f]{8,17}$/)) });
 */
import { en } from 'zod/locales';
import { config } from 'zod/mini';

if (config().localeError === undefined) config(en());

export * from 'zod/mini';
