/** Transport internals of carbonio-imap; not API. */
package org.carbonio.imap.internal;
