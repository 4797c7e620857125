package io.procwatch.engine;

import io.procwatch.aggregate.Notable;
import io.procwatch.aggregate.NotableCollector;
import io.procwatch.aggregate.NotableGroup;
import io.procwatch.aggregate.Watermark;
import io.procwatch.detect.Detections;
import io.procwatch.detect.RuleSet;
import io.procwatch.normalize.ProcessEvent;
import io.procwatch.read.Origin;
import org.kie.api.runtime.KieSession;
import org.kie.api.runtime.rule.FactHandle;
import org.kie.api.time.SessionPseudoClock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
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

    /** How many late events are kept by origin for the run report. */
    static final int LATE_SAMPLES = 20;

    private final KieSession session;
    private final Detections detections;
    private final NotableCollector notables = new NotableCollector();
    private final Watermark watermark = new Watermark(Long.MIN_VALUE);
    private final FactHandle watermarkHandle;
    private final SessionPseudoClock pseudoClock;
    /** Live time source for {@link #DetectionSession(RuleSet, LongSupplier, Duration)}; null otherwise. */
    private final LongSupplier wallClock;
    private final long lateness;
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

    /**
     * @param rules      the compiled rules
     * @param replay     true: time comes from event times (pseudo clock); false: wall clock
     * @param lateness   how far behind the newest event time an event may be and still land in its window
     */
    public DetectionSession(RuleSet rules, boolean replay, Duration lateness) {
        this.session = rules.newSession(replay);
        this.detections = new Detections(rules.catalog());
        this.lateness = lateness.toMillis();
        session.setGlobal("detections", detections);
        session.setGlobal("notables", notables);
        this.watermarkHandle = session.insert(watermark);
        this.pseudoClock = replay ? session.getSessionClock() : null;
        this.wallClock = null;
        this.extensions = SessionExtension.forRules(rules.kieBase());
    }

    /**
     * Does the work on an event that needs no session, ahead of its {@link #insert}: the Sigma prefilter's
     * candidate search (most of the time of a session with converted Sigma rules). Optional, and thread-safe,
     * unlike the rest of this class: a reading or submitting thread calls it so that it overlaps with the
     * session thread's work on earlier events; the event must then reach the session thread through a queue.
     * Nothing to do without Sigma rules.
     */
    public void prepare(ProcessEvent e) {
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
        this.session = rules.newSession(true);
        this.detections = new Detections(rules.catalog());
        this.lateness = lateness.toMillis();
        session.setGlobal("detections", detections);
        session.setGlobal("notables", notables);
        this.watermarkHandle = session.insert(watermark);
        this.pseudoClock = session.getSessionClock();
        this.wallClock = wallClock;
        this.extensions = SessionExtension.forRules(rules.kieBase());
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
        if (ref != Long.MIN_VALUE && t < ref - lateness) {
            late++;
            if (lateSamples.size() < LATE_SAMPLES) {
                lateSamples.add(e.getOrigin());
            }
        }
        if (t > newest) {
            newest = t;
        }
        session.insert(e);
        inserted++;
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
        long now = wallClock != null ? wallClock.getAsLong() : pseudoClock != null ? newest : System.currentTimeMillis();
        if (now != Long.MIN_VALUE) {
            if (pseudoClock != null && now > clockAt) {
                // Expiry (@expires) runs on clock moves; rules have already seen these events.
                pseudoClock.advanceTime(now - clockAt, TimeUnit.MILLISECONDS);
                clockAt = now;
            }
            long complete = completeUpTo(now);
            if (complete != Long.MIN_VALUE) {
                moveWatermark(complete - lateness);
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
        session.fireAllRules();
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

    /** Facts in working memory (events not yet expired, open groups, the watermark). */
    public long factCount() {
        return session.getFactCount();
    }

    @Override
    public void close() {
        session.dispose();
    }
}
