import type { OptionalAuthentication, ProviderDescriptor } from "@friendhook/core";
import type { z } from "zod";

export interface UnauthenticatedProvider extends OptionalAuthentication {
  readonly title: string;
}

/** What the providers' variables gave: each configured provider's options, and what is wrong. */
export interface ProviderSettings {
  /** The adapter options of each configured provider, by name. */
  readonly options: Readonly<Record<string, unknown>>;
  /** The providers whose callbacks go unauthenticated: the title of each, and its `authentication`. */
  readonly unauthenticated: readonly UnauthenticatedProvider[];
  /** Whether a credential in use is one of the public DEMO ones. */
  readonly usesDemoCredentials: boolean;
  /** Problems with the providers' variables, the variable first, in the order of the providers. */
  readonly problems: readonly string[];
  /** Production's refusals of the DEMO credentials: listed last, as they concern where the values came from. */
  readonly demoProblems: readonly string[];
}

/**
 * The schema of every provider's variables, to sit beside the app's own. A name declared twice
 * is a mistake in the list of providers, which stops the app at once.
 */
export function providerVariableSchemas(providers: readonly ProviderDescriptor[], appVariables: readonly string[]): Record<string, z.ZodType> {
  const schemas: Record<string, z.ZodType> = {};
  for (const descriptor of providers) {
    for (const [name, variable] of Object.entries(descriptor.variables)) {
      if (name in schemas || appVariables.includes(name)) throw new Error(`The variable ${name} of the provider ${descriptor.name} is declared twice.`);
      schemas[name] = variable.schema.optional();
    }
  }
  return schemas;
}

/** Every variable a provider reads: once the operator sets one, the DEMO provider settings stay out. */
export function isProviderVariable(providers: readonly ProviderDescriptor[], name: string): boolean {
  return providers.some((descriptor) => Object.hasOwn(descriptor.variables, name));
}

/** The DEMO settings of every provider, as `--demo` applies them. */
export function demoProviderVariables(providers: readonly ProviderDescriptor[]): Record<string, string> {
  return Object.assign({}, ...providers.map((descriptor) => descriptor.demo));
}

function valuesOf(descriptor: ProviderDescriptor, environment: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(descriptor.variables).flatMap((name) => (environment[name] === undefined ? [] : [[name, environment[name]]])));
}

function entriesOf(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [value];
}

/**
 * A provider that authenticates nothing lets anyone who reaches its route write the friend table:
 * production refuses it unless the operator says, in so many words, that this is intended.
 */
function authenticationProblems(descriptor: ProviderDescriptor, values: Record<string, unknown>, configured: boolean, production: boolean): string[] {
  const authentication = descriptor.authentication;
  if (!authentication) return [];
  const { variable, allowUnauthenticatedVariable: allow, risk } = authentication;
  const problems: string[] = [];
  if (values[allow] === true && values[variable] !== undefined) {
    problems.push(`${allow}: is true, but ${variable} is set and authenticates every callback; remove ${allow}`);
  }
  if (production && configured && values[variable] === undefined && values[allow] !== true) {
    problems.push(`${variable}: is required in production: ${risk}, or set ${allow}=true to accept unauthenticated callbacks`);
  }
  return problems;
}

/** The secret variables that hold a public DEMO value, each with the provider's title. */
function demoCredentialsIn(descriptor: ProviderDescriptor, values: Record<string, unknown>): string[] {
  const demo: Readonly<Record<string, string | undefined>> = descriptor.demo;
  return Object.entries(descriptor.variables).flatMap(([name, variable]) => {
    const demoValue = demo[name];
    return variable.secret && demoValue !== undefined && entriesOf(values[name]).includes(demoValue) ? [name] : [];
  });
}

/** Reads every provider's variables from the environment as its schema left them. */
export function providerSettings(
  providers: readonly ProviderDescriptor[],
  environment: Readonly<Record<string, unknown>>,
  production: boolean,
): ProviderSettings {
  const options: Record<string, unknown> = {};
  const unauthenticated: UnauthenticatedProvider[] = [];
  const problems: string[] = [];
  const demoProblems: string[] = [];
  let usesDemoCredentials = false;
  for (const descriptor of providers) {
    const values = valuesOf(descriptor, environment);
    const configuration = descriptor.configure(values);
    problems.push(...(configuration.problems ?? []));
    const configured = configuration.options !== undefined;
    if (configured) options[descriptor.name] = configuration.options;
    problems.push(...authenticationProblems(descriptor, values, configured, production));
    const authentication = descriptor.authentication;
    if (configured && authentication && values[authentication.variable] === undefined) {
      unauthenticated.push({ title: descriptor.title, ...authentication });
    }
    for (const name of demoCredentialsIn(descriptor, values)) {
      usesDemoCredentials = true;
      if (production) {
        demoProblems.push(`${name}: holds the public DEMO credential of ${descriptor.title} (what --demo uses), which production refuses; set your own`);
      }
    }
  }
  if (Object.keys(options).length === 0 && problems.length === 0) {
    const ways = providers.map((descriptor) => `${descriptor.turnedOnBy} (${descriptor.title})`).join(", ");
    problems.push(`no provider is configured: set ${ways}, or several; to try friendhook with the public DEMO credentials instead, start with --demo (pnpm start)`);
  }
  return { options, unauthenticated, usesDemoCredentials, problems, demoProblems };
}

/** Each provider as the start-up log shows it: its options without credentials, or `not configured`. */
export function describeProviders(providers: readonly ProviderDescriptor[], options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    providers.map((descriptor) => {
      const given = options[descriptor.name];
      return [descriptor.name, given === undefined ? "not configured" : descriptor.describe(given)];
    }),
  );
}
