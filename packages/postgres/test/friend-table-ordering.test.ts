import { describeSinkFriendTableOrdering, describeStoreFriendTableOrdering, describeWithService } from "@friendhook/testkit";
import { afterAll } from "vitest";
import { createPostgresSink, createPostgresStore } from "../src/index";
import { connectionString, createTestPool, databaseHost, databasePort, dropSchema, uniqueSchemaName } from "./postgres-test-database";

describeWithService(
  "PostgreSQL",
  databasePort,
  () => {
    const pool = createTestPool();
    const schemas: string[] = [];
    const newSchema = () => {
      const schema = uniqueSchemaName();
      schemas.push(schema);
      return schema;
    };
    afterAll(async () => {
      for (const schema of schemas) await dropSchema(pool, schema);
      await pool.end();
    });

    describeStoreFriendTableOrdering("postgres store", { createStore: () => createPostgresStore({ connectionString, schema: newSchema() }), runs: 100 });
    describeSinkFriendTableOrdering("postgres sink", { createSink: () => createPostgresSink({ connectionString, schema: newSchema() }), runs: 100 });
  },
  { host: databaseHost },
);
