/** POP3 transport internals of carbonio-imap; not API. */
package org.carbonio.imap.internal.pop3;
