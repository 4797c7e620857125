package io.procwatch.risk;

import io.procwatch.aggregate.Notable;
import io.procwatch.aggregate.NotableCollector;
import io.procwatch.aggregate.NotableGroup;
import io.procwatch.detect.DetectionRule;
import io.procwatch.detect.IncidentRule;
import io.procwatch.detect.RiskMetadata;
import io.procwatch.detect.RuleCatalog;
import io.procwatch.lookup.AttackTactics;
import io.procwatch.lookup.AttackTactics.Tactic;
import io.procwatch.lookup.Lookups;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The DRL global {@code risk}: the plumbing the risk rules call (in {@code aggregation.drl}, {@code risk.drl},
 * {@code risk_incidents.drl}). It builds facts and records from the rules' annotations and the lookups; every
 * decision (throttle or alert, which factors apply, when an incident fires) is a rule's. One per session; used
 * on the session thread only.
 */
public final class RiskActions {

    private static final DateTimeFormatter ISO = Notable.ISO;
    private static final DateTimeFormatter CTIME = Notable.CTIME;
    private static final AttackTactics ATTACK = AttackTactics.bundled();

    private final RuleCatalog catalog;
    private final Lookups lookups;
    private final NotableCollector notables;
    private final Map<String, List<Tactic>> tacticsByRule = new HashMap<>();
    private final List<RiskEventRecord> pending = new ArrayList<>();
    private final Map<String, long[]> throttled = new TreeMap<>();
    private long riskEvents;
    private long incidents;
    /** The session's published risk events by risk object ({@link RiskSession#start} makes it listen). */
    private final RiskLedger ledger = new RiskLedger();

    public RiskActions(RuleCatalog catalog, Lookups lookups, NotableCollector notables) {
        this.catalog = catalog;
        this.lookups = lookups;
        this.notables = notables;
    }

    /** The shipped ATT&amp;CK technique → tactic table. */
    public static AttackTactics attack() {
        return ATTACK;
    }

    /** Called by the aggregation rule that closes a group: the result, its notable enriched, on its way out. */
    public DetectionResult close(NotableGroup g) {
        DetectionRule rule = g.getRule();
        RiskMetadata meta = catalog.risk(rule.id());
        Notable n = Notable.of(g);
        Map<String, Object> enrich = new LinkedHashMap<>();
        Lookups.Entry asset = lookups.asset(field(n, g, "dest"));
        Lookups.Entry identity = lookups.identity(field(n, g, "user"));
        if (asset != null) {
            putIf(enrich, "dest_priority", asset.priority());
            putIf(enrich, "dest_category", asset.category().isEmpty() ? null : asset.category());
        }
        if (identity != null) {
            putIf(enrich, "user_priority", identity.priority());
            putIf(enrich, "user_category", identity.category().isEmpty() ? null : identity.category());
            enrich.put("user_watchlist", identity.watchlist());
        }
        n = n.withFields(enrich);
        String key = null;
        if (meta.throttle() != null) {
            StringBuilder k = new StringBuilder(rule.id());
            for (String f : meta.throttle().fields()) {
                k.append('|').append(field(n, g, f));
            }
            key = k.toString();
        }
        return new DetectionResult(rule, meta, n, g.getFirstEvent(), g.getWindowEnd(), g.getLastTime(), key);
    }

    private static String field(Notable n, NotableGroup g, String name) {
        Object v = n.fields().get(name);
        return v instanceof String s ? s : g.getFirstEvent().get(name);
    }

    private static void putIf(Map<String, Object> m, String k, Object v) {
        if (v != null) {
            m.put(k, v);
        }
    }

    /**
     * The risk events of a result: one per {@code @riskObjects} entry whose field has a value (an empty value or
     * the detection's {@code @fillnull} placeholder makes none, as Splunk makes no risk event for a null object).
     */
    public List<RiskEvent> eventsOf(DetectionResult r) {
        RiskMetadata meta = r.risk();
        DetectionRule rule = r.getRule();
        List<Tactic> tactics = tacticsByRule.computeIfAbsent(rule.id(), k -> ATTACK.of(rule.mitre()));
        Map<String, Object> nf = r.getNotable().fields();
        List<String> threats = new ArrayList<>();
        List<String> threatTypes = new ArrayList<>();
        for (RiskMetadata.ThreatObject t : meta.threatObjects()) {
            String v = r.value(t.field());
            if (present(v, rule)) {
                threats.add(v);
                threatTypes.add(t.type());
            }
        }
        List<RiskEvent> out = new ArrayList<>();
        for (RiskMetadata.RiskObject o : meta.riskObjects()) {
            String v = r.value(o.field());
            if (!present(v, rule)) {
                continue;
            }
            RiskEvent.Pending p = new RiskEvent.Pending();
            p.ruleId = rule.id();
            p.message = (String) nf.get("risk_message");
            p.threatObjects = threats;
            p.threatObjectTypes = threatTypes;
            p.notableId = r.getAlertedNotableId();
            p.riskEventId = riskEventId(r.getId(), o, v);
            p.throttled = r.getState() == DetectionResult.State.THROTTLED;
            p.destPriority = (String) nf.get("dest_priority");
            p.destCategory = list(nf.get("dest_category"));
            p.userPriority = (String) nf.get("user_priority");
            p.userCategory = list(nf.get("user_category"));
            p.userWatchlist = (Boolean) nf.get("user_watchlist");
            out.add(new RiskEvent(r.getLastTime(), v, o.type(), o.score(), rule.title(), rule.mitre(), tactics, p));
        }
        return out;
    }

    /**
     * A risk event's deterministic id: a name-based (v3) UUID of its own result's notable id (detection, window, late
     * flag, group values: also for a throttled result, whose {@code notable_id} names the notable that alerted) and
     * the risk object's field, type and value, so a replay or restart that makes it again gives it the same id.
     */
    static String riskEventId(String resultNotableId, RiskMetadata.RiskObject o, String value) {
        String name = "risk|" + resultNotableId + '|' + o.field() + '|' + o.type() + '|' + value;
        return java.util.UUID.nameUUIDFromBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
    }

    @SuppressWarnings("unchecked")
    private static List<String> list(Object v) {
        return v == null ? null : (List<String>) v;
    }

    private static boolean present(String v, DetectionRule rule) {
        return v != null && !v.isEmpty() && !v.equals(rule.fillNull());
    }

    /** Called by the rule that publishes a risk event: its record is written, its output-only fields dropped. */
    public void publish(RiskEvent e) {
        RiskEvent.Pending p = e.pending();
        if (p == null) {
            return;
        }
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("_time", ISO.format(Instant.ofEpochMilli(e.getTime())));
        f.put("risk_object", e.getRiskObject());
        f.put("risk_object_type", e.getRiskObjectType());
        f.put("risk_score", e.getRiskScore());
        f.put("calculated_risk_score", RiskEvent.number(e.getCalculatedRiskScore()));
        f.put("risk_message", p.message);
        f.put("threat_object", p.threatObjects);
        f.put("threat_object_type", p.threatObjectTypes);
        f.put("source", e.getSource());
        f.put("rule_id", p.ruleId);
        f.put("annotations.mitre_attack", e.getTechniques());
        f.put("annotations.mitre_attack.mitre_tactic_id", e.getTactics().stream().map(Tactic::id).toList());
        f.put("annotations.mitre_attack.mitre_tactic", e.getTactics().stream().map(Tactic::name).toList());
        f.put("notable_id", p.notableId);
        f.put("risk_event_id", p.riskEventId);
        f.put("throttled", p.throttled);
        f.put("risk_factors", List.copyOf(p.factors));
        putIf(f, "dest_priority", p.destPriority);
        putIf(f, "dest_category", p.destCategory);
        putIf(f, "user_priority", p.userPriority);
        putIf(f, "user_category", p.userCategory);
        putIf(f, "user_watchlist", p.userWatchlist);
        pending.add(new RiskEventRecord(e.getTime(), f));
        riskEvents++;
        e.published();
    }

    /** Called by the throttling rule for a result that alerts no notable. */
    public void throttled(DetectionResult r) {
        throttled.computeIfAbsent(r.getRuleId(), k -> new long[1])[0]++;
    }

    /**
     * Called by an incident rule as it fires: the incident as a notable ({@code rule_title} the incident rule's
     * name, {@code risk_score} the total) for the window of {@code rule}'s length that ends at {@code check}.
     */
    public void incident(IncidentRule rule, RiskCheck check, RiskSummary s) {
        long start = check.getAt() - rule.windowMillis();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("rule_id", rule.id());
        f.put("rule_title", rule.ruleName());
        f.put("rule_description", rule.description());
        f.put("severity", rule.severityOf(s.total()));
        f.put("security_domain", "threat");
        f.put("risk_object", check.getRiskObject());
        f.put("risk_object_type", check.getRiskObjectType());
        f.put("risk_score", RiskEvent.number(s.total()));
        f.put("risk_event_count", s.count());
        f.put("source_count", s.sources().size());
        f.put("sources", s.sources());
        f.put("mitre_attack", s.techniques());
        f.put("mitre_tactic_id", s.tacticIds());
        f.put("mitre_tactic", s.tactics());
        f.put("firstTime", CTIME.format(Instant.ofEpochMilli(s.firstTime())));
        f.put("lastTime", CTIME.format(Instant.ofEpochMilli(s.lastTime())));
        f.put("window_start", ISO.format(Instant.ofEpochMilli(start)));
        f.put("window_end", ISO.format(Instant.ofEpochMilli(check.getAt())));
        f.put("late", false);
        f.put("notable_id", null);
        notables.emit(Notable.of(rule.id(), start, check.getRiskObjectType() + "|" + check.getRiskObject(), f));
        incidents++;
    }

    /** Risk events published since the last drain, by time, then source and risk object. */
    public List<RiskEventRecord> drain() {
        if (pending.isEmpty()) {
            return List.of();
        }
        List<RiskEventRecord> out = new ArrayList<>(pending);
        pending.clear();
        out.sort(Comparator.comparingLong(RiskEventRecord::time)
                .thenComparing(r -> String.valueOf(r.fields().get("source")))
                .thenComparing(r -> String.valueOf(r.fields().get("risk_object_type")))
                .thenComparing(r -> String.valueOf(r.fields().get("risk_object"))));
        return out;
    }

    /** Throttled results per detection id (every detection listed). */
    public Map<String, Long> throttledCounts() {
        Map<String, Long> out = new TreeMap<>();
        for (DetectionRule d : catalog.detections()) {
            out.put(d.id(), 0L);
        }
        throttled.forEach((k, v) -> out.put(k, v[0]));
        return out;
    }

    public long riskEventCount() {
        return riskEvents;
    }

    /**
     * For the risk incident rules: the published risk events of one risk object in working memory whose time is
     * after {@code windowStart} and after {@code after} (the object's last incident of that rule), and at or before
     * {@code at}. What
     * {@code accumulate( RiskEvent( published, riskObject == $o, riskObjectType == $ty, time <= $at,
     * time > windowStart, time > after ), riskSummary( ... ) )} sees, read from an index instead of a walk of all
     * the object's risk events per check.
     */
    public RiskWindow window(String riskObject, String riskObjectType, long windowStart, long after, long at) {
        return new RiskWindow(ledger, riskObject, riskObjectType, Math.max(windowStart, after), at);
    }

    /** The index of published risk events that {@link #window} reads: a listener of the session. */
    RiskLedger ledger() {
        return ledger;
    }

    public long incidentCount() {
        return incidents;
    }
}
