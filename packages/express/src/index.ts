export * from "./friendhook-middleware";
export * from "./friendhook-middleware-options";
