/**
 * The TCP plumbing shared by the protocol servers: {@link org.carbonio.transport.TcpListener}
 * binds, accepts, runs one virtual thread per {@link org.carbonio.transport.Connection}, bounds the
 * number of connections and the time a write may block, and shuts down in bounded time. The
 * protocol supplies a {@link org.carbonio.transport.ConnectionHandler}.
 */
package org.carbonio.transport;
