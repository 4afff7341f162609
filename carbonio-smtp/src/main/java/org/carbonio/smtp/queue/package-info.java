/**
 * The durable mail queue of the MTA: {@link org.carbonio.smtp.queue.MailQueue} stores messages
 * under a directory (fsynced before it returns), attempts them through a {@link
 * org.carbonio.smtp.spi.DeliveryAgent} with exponential backoff and expiry, and sends RFC 3464
 * delivery status notifications. Operators list, show, retry, hold, release and delete messages
 * through the same class.
 */
package org.carbonio.smtp.queue;
