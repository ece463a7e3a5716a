/**
 * An application can load two copies of a package (the CommonJS build through `require` and the ES
 * build through `import`), each with its own classes. friendhook's errors are therefore recognized
 * by a mark that both copies share through the global symbol registry, rather than by their class.
 *
 * `brandErrorClass` puts the mark on the class's prototype (so that it shows in no log line and no
 * JSON, and is no declared member: the declarations of the two builds stay interchangeable), makes
 * `instanceof` recognize the instances of every copy (a subclass keeps the usual rule), and returns
 * the test.
 */
export function brandErrorClass(errorClass: abstract new (...parameters: never[]) => Error, name: string): (value: unknown) => boolean {
  const brand = Symbol.for(name);
  Object.defineProperty(errorClass.prototype, brand, { value: true });
  const isBranded = (value: unknown): boolean =>
    typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  Object.defineProperty(errorClass, Symbol.hasInstance, {
    value(this: unknown, value: unknown): boolean {
      return this === errorClass ? isBranded(value) : Function.prototype[Symbol.hasInstance].call(this, value);
    },
  });
  return isBranded;
}
