import { z } from "zod";

/**
 * Reads the text of one environment variable into a value. An application prefixes each issue's
 * message with the variable's name, so a message is one sentence about the value: it names what is
 * expected and never quotes a secret back. Blank values count as unset and never reach a schema.
 */
export type EnvironmentVariableSchema<Value = unknown> = z.ZodType<Value, string>;

function checked<Value>(read: (text: string) => { value: Value } | { problem: string }): EnvironmentVariableSchema<Value> {
  return z.string().transform((text, context) => {
    const result = read(text);
    if ("value" in result) return result.value;
    context.addIssue({ code: "custom", message: result.problem });
    return z.NEVER;
  });
}

/** What is wrong with a credential, without quoting it: it may end up in a log or a ticket. */
export function describeWrongSecret(secret: string): string | undefined {
  return /\s/.test(secret) ? "contains whitespace; copy the value without spaces or line breaks" : undefined;
}

/**
 * A comma-separated list, trimming the spaces people put after commas. An empty entry is refused
 * (`a,,b` is a typo, not a list of three), and so is an entry that `describeWrongEntry` describes:
 * its answer follows "entry N ", as in `entry 2 contains whitespace`.
 */
export function listVariable(describeWrongEntry: (entry: string) => string | undefined = () => undefined): EnvironmentVariableSchema<string[]> {
  return checked<string[]>((text) => {
    const entries = text.split(",").map((entry) => entry.trim());
    for (const [index, entry] of entries.entries()) {
      if (entry === "") return { problem: `entry ${index + 1} of the comma-separated list is empty` };
      const wrong = describeWrongEntry(entry);
      if (wrong !== undefined) return { problem: `entry ${index + 1} ${wrong}` };
    }
    return { value: entries };
  });
}

/** One credential: anything but whitespace, which comes from a copy-and-paste far more often than from the provider. */
export function secretVariable(): EnvironmentVariableSchema<string> {
  return checked<string>((text) => {
    const wrong = describeWrongSecret(text);
    return wrong === undefined ? { value: text } : { problem: wrong };
  });
}

/** Credentials, comma-separated: one per rule, or the old and the new one while rotating. */
export function secretListVariable(): EnvironmentVariableSchema<string[]> {
  return listVariable(describeWrongSecret);
}

/** `true` or `false`, nothing else: `yes` or `1` is refused rather than guessed at. */
export function booleanVariable(): EnvironmentVariableSchema<boolean> {
  return z
    .enum(["true", "false"], { error: (issue) => `must be true or false (got "${String(issue.input).slice(0, 20)}")` })
    .transform((text) => text === "true");
}

/** A whole number from `least` to `most`; `unit` names what it counts (`" of seconds"`), after "a whole number". */
export function wholeNumberVariable(least: number, most: number, unit = ""): EnvironmentVariableSchema<number> {
  return checked<number>((text) => {
    const value = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
    if (!(value >= least && value <= most)) return { problem: `must be a whole number${unit} from ${least} to ${most} (got "${text.slice(0, 20)}")` };
    return { value };
  });
}
