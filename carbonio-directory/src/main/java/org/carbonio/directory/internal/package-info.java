/** Implementation of the directory; not an API, may change without notice. */
package org.carbonio.directory.internal;
