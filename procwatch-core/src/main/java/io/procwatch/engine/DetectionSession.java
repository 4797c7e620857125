package io.procwatch.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.procwatch.aggregate.Notable;
import io.procwatch.aggregate.NotableCollector;
import io.procwatch.aggregate.NotableGroup;
import io.procwatch.aggregate.Watermark;
import io.procwatch.detect.DetectionRule;
import io.procwatch.detect.Detections;
import io.procwatch.detect.GroupKey;
import io.procwatch.detect.RuleSet;
import io.procwatch.risk.RiskActions;
import io.procwatch.risk.RiskEventRecord;
import io.procwatch.risk.RiskSession;
import io.procwatch.normalize.FieldTable;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.read.Origin;
import io.procwatch.risk.ThrottleMark;
import io.procwatch.state.DetectionState;
import io.procwatch.state.EventState;
import io.procwatch.state.GroupState;
import io.procwatch.state.RiskState;
import io.procwatch.time.Lateness;
import org.kie.api.runtime.KieSession;
import org.kie.api.runtime.rule.FactHandle;
import org.kie.api.time.SessionPseudoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * One Drools session with its time keeping: inserts process events, fires the detections, and closes notable
 * windows as time moves on. Time is either the newest event time (replay: a pseudo clock driven by events,
 * so a replay of last month's logs yields last month's windows) or the wall clock (live).
 *
 * <p>An event more than the late-event allowance behind the newest one is <em>late</em>: it is counted and
 * still evaluated; if its window has already been emitted, its match forms a separate notable marked
 * {@code late}. Nothing is dropped.
 *
 * <p>Not thread-safe: one thread drives a session ({@link #prepare} excepted).
 */
public final class DetectionSession implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DetectionSession.class);

    /** How many late events are kept by origin for the run report. */
    static final int LATE_SAMPLES = 20;

    /**
     * How long a process event stays in working memory after its time when the rules leave its removal to the
     * session ({@link RuleSet#processEventExpiry()} is -1: no {@code @expires} on {@code ProcessEvent} and no rule
     * joining process events across time, as in the bundled rules): a minute, what {@code @expires(1m)} kept before.
     * The session deletes them in bulk after each firing, oldest first, instead of Drools keeping a timer per event
     * (its timer queue took a fifth of the session thread's time). No rule can tell: detections match one event and
     * fire before the clock moves on; the retained events only bound memory (rate × this span). An event no rule's
     * pattern holds after its firing goes at once ({@link #settleFreshEvents}): only those some pattern holds wait
     * the minute.
     */
    static final long PROCESS_EVENT_RETENTION_MS = 60_000;

    /** A process event the session deletes once the clock reaches {@code until}. */
    private record Retained(FactHandle handle, long until) {
    }

    private final KieSession session;
    private final Detections detections;
    private final NotableCollector notables = new NotableCollector();
    private final Watermark watermark = new Watermark(Long.MIN_VALUE);
    private final FactHandle watermarkHandle;
    private final SessionPseudoClock pseudoClock;
    /** Live time source for {@link #DetectionSession(RuleSet, LongSupplier, Duration)}; null otherwise. */
    private final LongSupplier wallClock;
    private final Lateness lateness;
    private long newest = Long.MIN_VALUE;
    /**
     * Replay of declared inputs: each input's newest event time; MIN_VALUE before it starts, MAX_VALUE once it
     * is finished. Null for a single stream (serve, embedding), where the newest event overall is the reference.
     */
    private Map<String, Long> inputNewest;
    private String lastSource;
    private String lastInput;
    private long clockAt;
    private long inserted;
    private long late;
    private final List<Origin> lateSamples = new ArrayList<>();
    /** What the rule families of the rules add (the Sigma prefilter and correlation windows); often none. */
    private final List<SessionExtension> extensions;
    /** The risk rules' global, or null when the rules have none (see {@link RiskSession#actionsFor}). */
    private final RiskActions risk;
    /** The fields the rules lower-case first ({@link RuleSet#leadingLowerCaseFields()}), done by {@link #prepare}. */
    private final String[] lowerCaseAhead;
    /**
     * Process events to delete, in insertion order (event time order, but for late events: a late one waits for
     * those before it); null when Drools expires them itself.
     */
    private final java.util.ArrayDeque<Retained> retained;
    /** Process events already past their retention when inserted: deleted after the next firing. */
    private final List<FactHandle> expiredOnArrival = new ArrayList<>();
    /**
     * Process events inserted since the last firing, with their retention end: after the firing, those that no
     * rule's pattern holds are deleted at once, the others join {@link #retained}. Null when Drools expires them.
     */
    private final List<Retained> fresh;

    /**
     * @param rules      the compiled rules
     * @param replay     true: time comes from event times (pseudo clock); false: wall clock
     * @param lateness   how far behind the newest event time an event may be and still land in its window
     */
    public DetectionSession(RuleSet rules, boolean replay, Duration lateness) {
        this(rules, replay, null, lateness);
    }

    /** Both kinds: a pseudo clock (replay, or live with {@code wallClock}) or Drools' real-time clock. */
    private DetectionSession(RuleSet rules, boolean pseudo, LongSupplier wallClock, Duration lateness) {
        this.detections = new Detections(rules.catalog());
        this.risk = RiskSession.actionsFor(rules, notables);
        this.session = rules.newSession(pseudo, globals(detections, notables, risk));
        RiskSession.start(session, rules);
        this.lateness = Lateness.of(lateness);
        this.watermarkHandle = session.insert(watermark);
        this.pseudoClock = pseudo ? session.getSessionClock() : null;
        this.wallClock = wallClock;
        this.extensions = SessionExtension.forRules(rules);
        this.lowerCaseAhead = rules.leadingLowerCaseFields().toArray(String[]::new);
        this.retained = rules.processEventExpiry() < 0 ? new java.util.ArrayDeque<>() : null;
        this.fresh = retained != null ? new ArrayList<>() : null;
    }

    /** This session's own globals (the rule set adds its shared ones). */
    private static Map<String, Object> globals(Detections detections, NotableCollector notables, RiskActions risk) {
        Map<String, Object> g = new HashMap<>();
        g.put("detections", detections);
        g.put("notables", notables);
        g.put(RiskSession.GLOBAL, risk);
        return g;
    }

    /**
     * Does the work on an event that needs no session, ahead of its {@link #insert}: the Sigma prefilter's
     * candidate search (most of the time of a session with converted Sigma rules), and lower-casing the fields the
     * rules read lower-cased first (kept in the event, where the rules find it). Optional, and thread-safe,
     * unlike the rest of this class: a reading or submitting thread calls it so that it overlaps with the
     * session thread's work on earlier events; the event must then reach the session thread through a queue.
     * Nothing to do without Sigma rules.
     */
    public void prepare(ProcessEvent e) {
        for (String f : lowerCaseAhead) {
            e.lc(f);
        }
        for (SessionExtension x : extensions) {
            x.prepare(e);
        }
    }

    /**
     * A live session whose time is read from {@code wallClock} (epoch ms) at every {@link #fire()}: windows close
     * when that clock, less the allowance, passes their end. The Drools clock is a pseudo clock advanced to the
     * same time, so a test can drive a live session with a fake clock.
     */
    public DetectionSession(RuleSet rules, LongSupplier wallClock, Duration lateness) {
        this(rules, true, wallClock, lateness);
    }

    /**
     * Replay of several inputs (files) read one after the other: lateness is judged within each input, and a
     * window closes only when every input is past it (an input not started yet holds every window open, a
     * finished one holds none). So the same files give the same notables in any order, and one file still
     * closes its windows as it goes. Events name their input by {@link Origin#source()}, up to the first
     * {@code !} (container members belong to their container).
     */
    public void declareInputs(Collection<String> inputs) {
        inputNewest = new HashMap<>();
        for (String i : inputs) {
            inputNewest.put(i, Long.MIN_VALUE);
        }
    }

    /** A declared input has been read to its end: it no longer holds windows open. */
    public void inputFinished(String input) {
        if (inputNewest != null) {
            inputNewest.put(input, Long.MAX_VALUE);
        }
    }

    /** Inserts one event; rules fire at the next {@link #fire()}. */
    public void insert(ProcessEvent e) {
        long t = e.getTime();
        long ref;
        if (inputNewest != null) {
            String input = inputOf(e.getOrigin());
            ref = inputNewest.getOrDefault(input, Long.MIN_VALUE);
            if (ref == Long.MAX_VALUE) {
                ref = Long.MIN_VALUE; // an input read again after it was finished starts over
            }
            if (t > ref) {
                inputNewest.put(input, t);
            }
        } else {
            ref = wallClock != null ? Math.max(newest, wallClock.getAsLong()) : newest;
        }
        if (lateness.isLate(t, ref)) {
            late++;
            if (lateSamples.size() < LATE_SAMPLES) {
                lateSamples.add(e.getOrigin());
            }
        }
        if (t > newest) {
            newest = t;
        }
        FactHandle h = session.insert(e);
        inserted++;
        if (fresh != null) {
            // Drools' expiry offset for @expires(1m) is 60,001 ms: the same instant.
            fresh.add(new Retained(h, t + PROCESS_EVENT_RETENTION_MS + 1));
        }
    }

    /**
     * After the firing that evaluated the fresh events: deletes at once each one that no pattern of any rule holds
     * (its handle carries no tuple: every rule's alpha constraints turned it away, so no node memory keeps it and
     * no later fact can join it; only the fact count could tell it from a retained one), while it is still in the
     * cache; the others are retained for the minute, in insertion order. Most events match no rule, and deleting
     * them a minute later cost a fifth of the session thread, mostly in cache misses on events long gone cold.
     */
    private void settleFreshEvents() {
        if (fresh == null || fresh.isEmpty()) {
            return;
        }
        for (Retained r : fresh) {
            org.drools.core.common.InternalFactHandle h = (org.drools.core.common.InternalFactHandle) r.handle();
            if (!h.isValid()) {
                continue; // a rule deleted it
            }
            if (h.getFirstLeftTuple() == null && h.getFirstRightTuple() == null) {
                session.delete(h);
            } else if (r.until() <= clockAt) {
                expiredOnArrival.add(h);
            } else {
                retained.addLast(r);
            }
        }
        fresh.clear();
    }

    /** Deletes the process events whose retention the clock ({@code now}) has passed (see {@link #retained}). */
    private void deleteExpiredEvents(long now) {
        if (retained == null) {
            return;
        }
        for (FactHandle h : expiredOnArrival) {
            delete(h);
        }
        expiredOnArrival.clear();
        while (!retained.isEmpty() && retained.peekFirst().until() <= now) {
            delete(retained.pollFirst().handle());
        }
    }

    /** Deletes an event unless a rule already did. */
    private void delete(FactHandle h) {
        if (((org.drools.core.common.InternalFactHandle) h).isValid()) {
            session.delete(h);
        }
    }

    private String inputOf(Origin origin) {
        String source = origin == null ? "" : origin.source();
        if (source != lastSource) { // same String instance for every record of an input
            int bang = source.indexOf('!');
            lastInput = bang < 0 ? source : source.substring(0, bang);
            lastSource = source;
        }
        return lastInput;
    }

    /** Where windows may close: the least advanced input (replay of declared inputs) or the newest event. */
    private long completeUpTo(long now) {
        if (inputNewest == null) {
            return now;
        }
        long min = Long.MAX_VALUE;
        for (long v : inputNewest.values()) {
            min = Math.min(min, v);
        }
        return min == Long.MAX_VALUE ? newest : min;
    }

    /**
     * Fires the detections on everything inserted so far, then moves time to the newest event (replay) or the
     * wall clock (live) and closes the windows the watermark has passed.
     *
     * @return notables closed by this call, in deterministic order
     */
    public List<Notable> fire() {
        session.fireAllRules();
        settleFreshEvents();
        long now = wallClock != null ? wallClock.getAsLong() : pseudoClock != null ? newest : System.currentTimeMillis();
        if (now != Long.MIN_VALUE) {
            if (pseudoClock != null && now > clockAt) {
                // Expiry (@expires) runs on clock moves; rules have already seen these events.
                pseudoClock.advanceTime(now - clockAt, TimeUnit.MILLISECONDS);
                clockAt = now;
            }
            deleteExpiredEvents(now);
            long complete = completeUpTo(now);
            if (complete != Long.MIN_VALUE) {
                moveWatermark(lateness.watermark(complete));
            }
        }
        detections.publishMatches();
        return notables.drain();
    }

    /** End of input: closes every open window. */
    public List<Notable> flush() {
        session.fireAllRules();
        moveWatermark(Long.MAX_VALUE);
        detections.publishMatches();
        return notables.drain();
    }

    private void moveWatermark(long to) {
        if (to > watermark.getTime()) {
            watermark.setTime(to);
            session.update(watermarkHandle, watermark);
            session.fireAllRules();
            // Only now: a match raised by a rule reacting to this move (a Sigma lt/lte/eq correlation whose window
            // ended) is late only if its window closed before the move, so it joins the groups this move closes.
            detections.setWatermark(to);
        }
    }

    /** The open notable groups (windows not yet closed), in no particular order. */
    public List<NotableGroup> openGroups() {
        List<NotableGroup> out = new ArrayList<>();
        for (Object o : session.getObjects(o -> o instanceof NotableGroup)) {
            out.add((NotableGroup) o);
        }
        return out;
    }

    /**
     * Hands this session's time and open windows over to {@code next} (a fresh session of a reloaded rule set):
     * the newest event time, the Drools clock, the watermark, the inserted/late counts, every open group
     * {@code keep} accepts, and the Sigma correlation windows of every correlation whose id and definition are the
     * same in {@code next}'s rules ({@link #carryCorrelations}). Groups not kept are returned (the caller emits
     * them). Events in working memory are not moved: each was already evaluated by this session's rules. This
     * session is left without groups and should be closed.
     */
    public List<NotableGroup> handOver(DetectionSession next, Predicate<NotableGroup> keep) {
        return handOver(next, keep, id -> true);
    }

    /**
     * {@link #handOver(DetectionSession, Predicate)}, also moving the risk state ({@link RiskSession#handOver}): the
     * risk events and incident marks, and the throttle marks of the detections {@code unchangedDetection} accepts.
     */
    public List<NotableGroup> handOver(DetectionSession next, Predicate<NotableGroup> keep, Predicate<String> unchangedDetection) {
        session.fireAllRules();
        if (risk != null && next.risk != null) {
            RiskSession.handOver(session, next.session, unchangedDetection);
        }
        next.newest = newest;
        next.inserted = inserted;
        next.late = late;
        next.lateSamples.addAll(lateSamples);
        if (next.pseudoClock != null && clockAt > next.clockAt) {
            next.pseudoClock.advanceTime(clockAt - next.clockAt, TimeUnit.MILLISECONDS);
            next.clockAt = clockAt;
        }
        next.moveWatermark(watermark.getTime());
        carryCorrelations(next);
        List<NotableGroup> dropped = new ArrayList<>();
        for (NotableGroup g : openGroups()) {
            session.delete(session.getFactHandle(g));
            if (keep.test(g)) {
                next.session.insert(g);
            } else {
                dropped.add(g);
            }
        }
        next.session.fireAllRules();
        return dropped;
    }

    /** Each rule family carries its own state (Sigma: the windows of unchanged correlations). */
    private void carryCorrelations(DetectionSession next) {
        for (SessionExtension x : extensions) {
            x.handOver(session, next.session);
        }
    }

    /**
     * This session's time and open groups as a {@link DetectionState} (after firing what is pending); the caller adds
     * counters and signatures. Nothing changes here.
     */
    DetectionState capture(Map<String, Long> counters, Map<String, String> signatures) {
        session.fireAllRules();
        List<GroupState> groups = new ArrayList<>();
        for (NotableGroup g : openGroups()) {
            GroupKey k = g.getKey();
            groups.add(new GroupState(k.ruleId(), k.windowStart(), k.late(), k.values(), g.getWindowEnd(),
                    g.getClosesAt(), g.getCount(), g.getFirstTime(), g.getLastTime(), EventState.of(g.getFirstEvent()),
                    g.getEvidence()));
        }
        groups.sort(Comparator.comparingLong(GroupState::windowStart).thenComparing(GroupState::ruleId)
                .thenComparing(x -> String.valueOf(x.values())));
        Map<String, JsonNode> families = new TreeMap<>();
        for (SessionExtension x : extensions) {
            JsonNode state = x.stateName() == null ? null : x.capture(session);
            if (state != null) {
                families.put(x.stateName(), state);
            }
        }
        return new DetectionState(DetectionState.VERSION, newest, clockAt, watermark.getTime(), inserted, late,
                counters, signatures, groups, RiskState.of(session.getObjects()), families);
    }

    /**
     * Loads a captured state into this fresh session, as {@link #handOver} does on a reload: time, watermark,
     * counts, and each open group whose detection exists in these rules and {@code keep} accepts (a group is
     * rebuilt under these rules' metadata of its detection). Groups not kept are returned (the caller emits them);
     * groups of detections these rules do not have are dropped and logged.
     */
    List<NotableGroup> restore(DetectionState s, FieldTable fields, Predicate<NotableGroup> keep) {
        newest = s.newest();
        inserted = s.inserted();
        late = s.late();
        if (pseudoClock != null && s.clockAt() > clockAt) {
            pseudoClock.advanceTime(s.clockAt() - clockAt, TimeUnit.MILLISECONDS);
            clockAt = s.clockAt();
        }
        moveWatermark(s.watermark());
        if (s.risk() != null && risk != null) {
            // Risk windows and incident marks always carry on; throttle marks only for detections these rules have.
            for (Object fact : s.risk().facts()) {
                if (!(fact instanceof ThrottleMark m) || detections.catalog().byId(m.getRuleId()) != null) {
                    session.insert(fact);
                }
            }
        }
        List<NotableGroup> dropped = new ArrayList<>();
        Set<String> unknown = new TreeSet<>();
        for (GroupState gs : s.groups()) {
            DetectionRule rule = detections.catalog().byId(gs.ruleId());
            if (rule == null) {
                unknown.add(gs.ruleId());
                continue;
            }
            NotableGroup g = NotableGroup.restore(rule, new GroupKey(gs.ruleId(), gs.windowStart(), gs.windowEnd(), gs.late(),
                            gs.values()), gs.windowEnd(), gs.closesAt(), gs.firstEvent().toEvent(fields), gs.count(),
                    gs.firstTime(), gs.lastTime(), gs.evidence());
            if (keep.test(g)) {
                session.insert(g);
            } else {
                dropped.add(g);
            }
        }
        if (!unknown.isEmpty()) {
            LOG.warn("restored state holds open windows of detections these rules do not have; dropped: {}", unknown);
        }
        for (SessionExtension x : extensions) {
            if (x.stateName() != null && s.extensions() != null && s.extensions().containsKey(x.stateName())) {
                x.restore(session, s.extensions().get(x.stateName()), fields);
            }
        }
        session.fireAllRules();
        return dropped;
    }

    /**
     * Closes every open window now without ending the stream: moves the watermark to the latest window end among
     * the open groups, so a later event of one of those windows counts as late (a separate notable) rather than
     * reopening it, while events of later windows are unaffected. What a partition idle for the configured
     * wall-clock time does.
     *
     * @return the notables this closes
     */
    public List<Notable> closeOpenWindows() {
        session.fireAllRules();
        long to = Long.MIN_VALUE;
        for (NotableGroup g : openGroups()) {
            to = Math.max(to, g.getKey().late() ? watermark.getTime() + 1 : g.getWindowEnd());
        }
        if (to != Long.MIN_VALUE) {
            moveWatermark(to);
        }
        return notables.drain();
    }

    /** The current watermark, epoch ms. */
    public long watermark() {
        return watermark.getTime();
    }

    public long insertedCount() {
        return inserted;
    }

    /** Events more than the allowance behind the newest event time. */
    public long lateCount() {
        return late;
    }

    /** The first late events' origins. */
    public List<Origin> lateSamples() {
        return List.copyOf(lateSamples);
    }

    public Detections detections() {
        return detections;
    }

    /** Risk events published since the last call, in order (none when the rules have no risk rules). */
    public List<RiskEventRecord> drainRiskEvents() {
        return risk == null ? List.of() : risk.drain();
    }

    /** The risk rules' global, or {@code null} when the rules have none. */
    public RiskActions risk() {
        return risk;
    }

    /** Facts in working memory (events not yet expired, open groups, the watermark). */
    public long factCount() {
        return session.getFactCount();
    }

    @Override
    public void close() {
        session.dispose();
    }
}
