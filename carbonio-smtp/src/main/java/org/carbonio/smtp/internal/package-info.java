/** Transport and helpers of carbonio-smtp. Not API: may change in any release. */
package org.carbonio.smtp.internal;
