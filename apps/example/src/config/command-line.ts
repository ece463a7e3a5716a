import { parseArgs } from "node:util";
import { ConfigurationError } from "./configuration-error";
import type { DemoUse } from "./environment-files";

/**
 * The app's one option: `--demo`, the explicit start with the public DEMO settings of
 * `.env.development` (what `pnpm start` runs). Anything else stops the start.
 */
export function demoUseOf(commandLineArguments: readonly string[]): DemoUse {
  try {
    const { values } = parseArgs({ args: [...commandLineArguments], options: { demo: { type: "boolean" } }, strict: true });
    return values.demo ? "requested" : "off";
  } catch (error) {
    throw new ConfigurationError([
      `${(error as Error).message.split("\n")[0]?.slice(0, 200)}; the app takes one option, --demo (the public DEMO credentials of .env.development, for a trial)`,
    ]);
  }
}
