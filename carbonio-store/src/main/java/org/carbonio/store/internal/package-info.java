/** Implementation of the store. Not an API: may change in any release. */
package org.carbonio.store.internal;
