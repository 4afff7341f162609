/** Consistency check and crash recovery of the store (internal). */
package org.carbonio.store.internal.check;
