/** The {@code carbonio} command line: {@code run} and {@code prov}. */
package org.carbonio.server.cli;
