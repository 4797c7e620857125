/**
 * Raw records → {@link io.procwatch.normalize.ProcessEvent}, the fact the rules match: Sysmon EID 1 and
 * Security 4688 mapped onto one set of field names, the mappings as data files. {@code ProcessEvent} is part of
 * the embedding API; the rest is internal.
 */
package io.procwatch.normalize;
