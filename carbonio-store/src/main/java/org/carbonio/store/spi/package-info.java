/**
 * What embedders may implement for the store: {@link org.carbonio.store.spi.BlobStore}, the
 * content-addressed storage of message bytes, and {@link org.carbonio.store.spi.MetadataStore}, the
 * transactional metadata backend (built in: embedded SQLite and PostgreSQL).
 */
package org.carbonio.store.spi;
