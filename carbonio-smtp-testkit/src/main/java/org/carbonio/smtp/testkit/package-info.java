/**
 * Real peers of a mail system for tests and benchmarks, each started privately on 127.0.0.1 with
 * its own data directory and stopped by {@code close()}.
 */
package org.carbonio.smtp.testkit;
