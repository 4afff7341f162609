/** Wiring between modules (SPI adapters), TLS material and the admin API. Not for embedders. */
package org.carbonio.server.internal;
