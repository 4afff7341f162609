/** Implementation details of carbonio-mime; not an API. */
package org.carbonio.mime.internal;
