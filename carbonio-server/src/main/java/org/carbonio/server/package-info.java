/**
 * The reference server: {@link org.carbonio.server.CarbonioServer} assembles the directory, the
 * store and the protocol listeners from one {@link org.carbonio.server.ServerConfig}.
 */
package org.carbonio.server;
