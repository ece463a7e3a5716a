import type { ProviderDescriptor } from "@friendhook/core";
import { easemobDescriptor } from "@friendhook/easemob";
import { openImDescriptor } from "@friendhook/openim";
import { tencentDescriptor } from "@friendhook/tencent";

/**
 * The providers this app offers: one line each, from the adapter package's descriptor, in the
 * order of the app's messages and of `simulate`. A descriptor brings the provider's variables, its
 * adapter, its DEMO credentials and its sample callbacks; nothing else in the app names a provider.
 * Functions that read a configuration take another list too, which is how a test adds a provider.
 */
export const providers: readonly ProviderDescriptor[] = [easemobDescriptor, tencentDescriptor, openImDescriptor];
