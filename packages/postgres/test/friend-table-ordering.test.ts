import { describeSinkFriendTableOrdering, describeStoreFriendTableOrdering, describeWithService } from "@friendhook/testkit";
import { createPostgresSink, createPostgresStore } from "../src/index";
import { connectionString, databaseHost, databasePort, useTestSchemas } from "./support/postgres-test-database";

describeWithService(
  "PostgreSQL",
  databasePort,
  () => {
    const { newSchema } = useTestSchemas();

    describeStoreFriendTableOrdering("postgres store", { createStore: () => createPostgresStore({ connectionString, schema: newSchema() }), runs: 100 });
    describeSinkFriendTableOrdering("postgres sink", { createSink: () => createPostgresSink({ connectionString, schema: newSchema() }), runs: 100 });
  },
  { host: databaseHost },
);
