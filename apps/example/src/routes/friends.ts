import type { ReadApi } from "@friendhook/receiver";
import { Router } from "express";
import { QueryTextSchema, querySchema, readQuery } from "./read-query";

const FriendsQuerySchema = querySchema({ provider: QueryTextSchema, appId: QueryTextSchema, userId: QueryTextSchema });

/**
 * `GET /api/friends?provider=P&appId=A&userId=U`: whom U counts as friends and whom U blocks, from
 * the friend table the store keeps. An Easemob app key carries a `#`: send it as `%23`.
 */
export function friendRoutes(readApi: ReadApi): Router {
  const router = Router();
  router.get("/api/friends", async (request, response) => {
    const query = readQuery(FriendsQuerySchema, request);
    const { friends, blocked } = await readApi.friendsOf(query);
    response.json({ friends, blocked });
  });
  return router;
}
