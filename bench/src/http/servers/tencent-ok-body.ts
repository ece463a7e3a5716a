/** What Tencent expects from a callback that succeeded, as a hand-written handler would send it. */
export const tencentOkBody = { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" } as const;

/** The largest body the hand-written servers accept: the receiver's default limit, for a like comparison. */
export const bodyLimitBytes = 1024 * 1024;
