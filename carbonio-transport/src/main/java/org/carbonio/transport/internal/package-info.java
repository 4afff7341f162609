/** Helpers of carbonio-transport. Not API: may change in any release. */
package org.carbonio.transport.internal;
