package io.procwatch.engine;

import java.util.List;

/**
 * What a successful {@link ProcwatchEngine#reload} did.
 *
 * @param origin          where the new rules came from (a directory, or "bundled rules (classpath)")
 * @param rules           DRL rules in the new rule set
 * @param detections      detections (rules with {@code @id}) in the new rule set
 * @param compileMillis   time to compile the new rules (on the caller's thread; events kept flowing)
 * @param swapMillis      time the session thread spent swapping sessions (events waited in the queue)
 * @param keptGroups      open notable groups carried into the new session (their detection is unchanged)
 * @param closedGroups    open notable groups of changed or removed detections, emitted at the reload with what
 *                        they had counted so far
 * @param changed         detection ids whose metadata changed, plus removed and added ids
 */
public record ReloadReport(String origin, int rules, int detections, long compileMillis, long swapMillis,
                           int keptGroups, int closedGroups, List<String> changed) {
}
