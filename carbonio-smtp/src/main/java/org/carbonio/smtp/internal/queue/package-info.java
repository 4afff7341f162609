/**
 * Internals of {@link org.carbonio.smtp.queue.MailQueue}: the on-disk record codec, group commit of
 * directory fsyncs, and the RFC 3464 DSN builder. Not API.
 */
package org.carbonio.smtp.internal.queue;
