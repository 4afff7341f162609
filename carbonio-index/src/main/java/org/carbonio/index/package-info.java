/** Placeholder for the carbonio-index module; its capability lands with its own issue. */
package org.carbonio.index;
