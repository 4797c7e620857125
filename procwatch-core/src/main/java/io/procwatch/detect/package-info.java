/**
 * Rules and their metadata: {@link io.procwatch.detect.RuleSet} (compiled DRL; part of the embedding API, an
 * immutable value engines may share), {@link io.procwatch.detect.RuleCatalog} and
 * {@link io.procwatch.detect.DetectionRule} (the DRL annotations), {@link io.procwatch.detect.Match} and its
 * {@link io.procwatch.detect.GroupKey}. Internal apart from {@code RuleSet} and its exceptions.
 */
package io.procwatch.detect;
