package io.procwatch.detect;

import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The order of work inside a session, declared once: each phase is a Drools salience, highest first. DRL writes
 * the phase's number tagged with its name, and {@code procwatch validate} checks that the two agree:
 *
 * <pre>
 * rule "… filter: …"
 *     salience 100  // Phase.FILTER
 * </pre>
 *
 * Why a number and not {@code salience( Phase.FILTER.salience )}: Drools 10 accepts that expression but compiles
 * it as a dynamic (MVEL) salience, evaluated per activation, and the agenda then no longer interrupts a rule's
 * batch of firings for a higher-salience activation its consequences create (chained Sigma correlations
 * judged at the end of the input lost their matches). Generated DRL takes its line from {@link #drl()}.
 *
 * <p>For one event: the Sigma prefilter picks candidate rules; the detections match; filters may suppress a match;
 * Sigma correlations count the matches that remain; then each match is placed in its notable windows and folded
 * into its groups; Sigma correlation windows the watermark has passed are judged; groups whose window the watermark
 * has passed are emitted. A rule without salience is in
 * {@link #DETECT}.
 *
 * <p>Within one phase Drools fires activations in its load order, which follows the names of the rule files (the
 * order of its in-memory file map), so adding or renaming a file can change it. The rules of a phase are written
 * not to depend on one another's order: {@code RuleFileNamesTest} runs the same rules under other file names, in
 * another load order, and gets the same notables, risk events, throttling and incidents.
 */
public enum Phase {
    /** Session state that must exist before anything else fires. */
    SETUP(10_000),
    /** The Sigma prefilter's candidate rules for each process event. */
    PREFILTER(1_000),
    /** Filters suppress matches that are known false positives, before anything counts them. */
    FILTER(100),
    /**
     * A Sigma correlation checked on every match fires as soon as a fold makes its condition hold: above
     * {@link #CORRELATE}, so each fold is checked before the next, however many matches one firing brings.
     */
    CORRELATE_CHECK(60),
    /** Sigma correlations fold unsuppressed matches into their windows. */
    CORRELATE(50),
    /** Detections turn events into matches; suppressed matches are counted. The default (no salience). */
    DETECT(0),
    /** The Sigma prefilter's candidates are dropped once the detections had their turn. */
    PREFILTER_CLEANUP(-50),
    /** Matches of rules that raise no notables of their own (named by a Sigma correlation) are dropped. */
    UNREPORTED(-90),
    /** Matches are placed in the notable windows that cover them and folded into their groups. */
    AGGREGATE(-100),
    /**
     * Sigma correlation windows the watermark has passed are judged and forgotten: after the aggregation deleted
     * the matches of the same firing, so a forgotten window is never reopened by a match it already counted.
     */
    CORRELATE_JUDGE(-150),
    /** Groups whose window the watermark has passed become notables. */
    EMIT(-200);

    /** The Drools salience of the phase. */
    public final int salience;

    private static final Pattern NAMED = Pattern.compile("^\\(?\\s*(?:io\\.procwatch\\.detect\\.)?Phase\\.([A-Za-z_]+)\\.salience\\s*\\)?$");
    private static final Pattern NUMBER = Pattern.compile("^\\(?\\s*(-?\\d+)\\s*\\)?$");

    Phase(int salience) {
        this.salience = salience;
    }

    /** The DRL attribute line of this phase: {@code salience 100  // Phase.FILTER}. */
    public String drl() {
        return "salience " + salience + "  // Phase." + name();
    }

    /** The phase with this salience value, if one has it. */
    public static Optional<Phase> ofSalience(int salience) {
        return Arrays.stream(values()).filter(p -> p.salience == salience).findFirst();
    }

    /**
     * The phase of a rule's salience text: {@code null} or blank is {@link #DETECT}; a number is the phase with that
     * salience.
     *
     * @throws IllegalArgumentException when the text is no phase's number (an expression such as
     *                                  {@code Phase.FILTER.salience} is refused: Drools makes it a dynamic salience)
     */
    public static Phase of(String salienceText) {
        if (salienceText == null || salienceText.isBlank()) {
            return DETECT;
        }
        String t = salienceText.strip();
        Matcher number = NUMBER.matcher(t);
        if (number.matches()) {
            int s = Integer.parseInt(number.group(1));
            return ofSalience(s).orElseThrow(() -> new IllegalArgumentException("salience " + s
                    + " is not a phase; write salience N  // Phase.NAME with NAME one of " + Arrays.toString(values())));
        }
        Matcher named = NAMED.matcher(t);
        String hint = named.matches() ? ofName(named.group(1)).map(Phase::drl).orElse("salience N  // Phase.NAME")
                : "salience N  // Phase.NAME";
        throw new IllegalArgumentException("salience '" + t + "' is an expression, which Drools evaluates per"
                + " activation (a dynamic salience that upsets the order of phases); write " + hint);
    }

    /** The phase of this name, if there is one. */
    public static Optional<Phase> ofName(String name) {
        return Arrays.stream(values()).filter(p -> p.name().equals(name)).findFirst();
    }
}
