import { easemobDescriptor } from "@friendhook/easemob";
import { openImDescriptor } from "@friendhook/openim";
import { tencentDescriptor } from "@friendhook/tencent";

function demoValue(value: string | undefined): string {
  if (value === undefined) throw new Error("a provider descriptor lost a DEMO credential the tests use");
  return value;
}

/** The public DEMO credentials of `--demo`, as the adapters' descriptors declare them. */
export const demoCredentials = {
  easemobSecret: demoValue(easemobDescriptor.demo.EASEMOB_SECRET),
  easemobAppKey: demoValue(easemobDescriptor.demo.EASEMOB_APPKEY),
  tencentSdkAppId: demoValue(tencentDescriptor.demo.TENCENT_SDKAPPID),
  tencentToken: demoValue(tencentDescriptor.demo.TENCENT_TOKEN),
  openImToken: demoValue(openImDescriptor.demo.OPENIM_TOKEN),
};
