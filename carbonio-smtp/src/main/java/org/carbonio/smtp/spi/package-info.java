/**
 * What embedders implement: the recipient check ({@link org.carbonio.smtp.spi.RecipientPolicy}),
 * the credential check of AUTH ({@link org.carbonio.smtp.spi.Authenticator}) and the message sink
 * ({@link org.carbonio.smtp.spi.DeliveryHandler}), with the records they receive. Each callback
 * takes one parameter record, so that later versions can add fields without breaking
 * implementations.
 */
package org.carbonio.smtp.spi;
