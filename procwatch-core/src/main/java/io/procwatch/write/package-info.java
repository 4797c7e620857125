/** Notable writers (NDJSON, CSV, table) and the scan summary. Internal to the application's output. */
package io.procwatch.write;
