/** Placeholder for the carbonio-dav module; its capability lands with its own issue. */
package org.carbonio.dav;
