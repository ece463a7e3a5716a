export * from "./__name__-adapter";
export * from "./__name__-provider";
export * from "./__name__-settings";
export * from "./__name__-signature";
export * from "./__name__-callback-schemas";
export * from "./__name__-events";
export * from "./__name__-acknowledgement";
export * from "./__name__-test-callbacks";
