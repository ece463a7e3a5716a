import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeSchemaIssues, FriendhookError, parseOptions } from "../src/index";

const SinkOptionsSchema = z.strictObject({
  connectionString: z.string().startsWith("postgres://", "connectionString must start with postgres://"),
  timeoutMs: z.number().int().positive().optional(),
});

describe("parseOptions", () => {
  it("returns the parsed options when they fit", () => {
    const options = parseOptions(SinkOptionsSchema, { connectionString: "postgres://localhost/db" }, "test sink");
    expect(options).toEqual({ connectionString: "postgres://localhost/db" });
  });

  it("refuses a mistyped option with misconfigured, naming the key but not the value given", () => {
    const secret = "mysql://admin:hunter2-very-secret@db.internal/friends";
    const input = { connectionString: secret, timeoutMs: "5000" };
    expect(() => parseOptions(SinkOptionsSchema, input, "test sink")).toThrow(
      expect.objectContaining({
        name: "FriendhookError",
        code: "misconfigured",
        status: 500,
        provider: undefined,
        message: expect.stringMatching(
          /^Invalid test sink options: connectionString: .*must start with postgres:\/\/; timeoutMs: .*expected number/,
        ),
      }),
    );
    expect(() => parseOptions(SinkOptionsSchema, input, "test sink")).toThrow(
      expect.objectContaining({ message: expect.not.stringMatching(/hunter2|mysql:|5000/) }),
    );
  });

  it("names an unknown key, and the whole input as options", () => {
    const misspelled = { connectionString: "postgres://x", timeotMs: 1 };
    expect(() => parseOptions(SinkOptionsSchema, misspelled, "Acme adapter", { provider: "acme" })).toThrow(
      expect.objectContaining({
        provider: "acme",
        message: expect.stringMatching(/^Invalid Acme adapter options: .*timeotMs/),
      }),
    );
    expect(() => parseOptions(SinkOptionsSchema, undefined, "Acme adapter")).toThrow(
      /^Invalid Acme adapter options: options: .*expected object/,
    );
    expect(() => parseOptions(SinkOptionsSchema, undefined, "test sink")).toThrow(FriendhookError);
  });
});

describe("describeSchemaIssues", () => {
  const BodySchema = z.object({ a: z.string(), b: z.string(), c: z.string(), d: z.string(), e: z.string() });

  it("joins every issue as path: message", () => {
    const result = BodySchema.safeParse({ a: "x", b: "y", c: "z", d: 1, e: { nested: true } });
    if (result.success) throw new Error("the body was accepted");
    expect(describeSchemaIssues(result.error, "body")).toMatch(/^d: .*expected string.*; e: .*expected string/);
  });

  it("names the first few issues and counts the rest when asked to", () => {
    const result = BodySchema.safeParse({});
    if (result.success) throw new Error("the body was accepted");
    const description = describeSchemaIssues(result.error, "body", { maximumIssues: 3 });
    expect(description).toMatch(/^a: .*; b: .*; c: [^;]* \(and 2 more\)$/);
  });
});
