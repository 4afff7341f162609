/**
 * What embedders may implement for the store: {@link org.carbonio.store.spi.BlobStore}, the
 * content-addressed storage of message bytes.
 */
package org.carbonio.store.spi;
