package io.procwatch.sigma;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sigma {@code re} values with a bound, for one rule set. Every pattern first runs on {@code java.util.regex}
 * (fast on the patterns rules hold) with a step budget of {@link #STEP_BUDGET} character reads per evaluation.
 * A pattern that exceeds it (catastrophic backtracking: {@code (\w+){1,30}$} on a 41-character command line)
 * switches to RE2/J, linear in the value, for the rest of this rule set's life when RE2/J accepts the pattern;
 * when it does not (back-references, lookarounds), the rule is disabled from then on (its regex tests are false),
 * logged once with the rule and the pattern, and counted ({@link #budgetExceeded()}, {@link #disabledRules()}).
 * Either way one evaluation costs at most the budget, so no rule can stall the others. Compiled patterns are
 * cached, bounded to {@link #CACHE_LIMIT} entries. (RE2/J alone for every pattern was measured 10 times slower on
 * the SigmaHQ rules: its NFA simulation is far slower than a backtracking match that does not backtrack.)
 */
public final class SigmaRegexes {

    private static final Logger LOG = LoggerFactory.getLogger(SigmaRegexes.class);

    /** Character reads allowed to one java.util.regex evaluation before the rule is disabled. */
    static final long STEP_BUDGET = 2_000_000;
    /** Compiled patterns kept; past it the cache starts again empty. */
    static final int CACHE_LIMIT = 4096;

    private final Map<String, Compiled> cache = new ConcurrentHashMap<>();
    /** Patterns with flags, keyed by flags, NUL and pattern. */
    private final Map<String, Compiled> flagged = new ConcurrentHashMap<>();
    private final Set<String> disabled = ConcurrentHashMap.newKeySet();
    private final AtomicLong exceeded = new AtomicLong();
    private final AtomicLong switched = new AtomicLong();

    /** One compiled pattern: java.util.regex, and RE2/J when it accepts the pattern. */
    private static final class Compiled {
        private final java.util.regex.Pattern java;
        private final com.google.re2j.Pattern re2;
        /** Set once the pattern exceeded the budget: RE2/J only from then on. */
        private volatile boolean linearOnly;

        Compiled(com.google.re2j.Pattern re2, java.util.regex.Pattern java) {
            this.re2 = re2;
            this.java = java;
        }

        java.util.regex.Pattern java() {
            return java;
        }

        com.google.re2j.Pattern re2() {
            return re2;
        }
    }

    /**
     * True when {@code regex} (with Sigma's flags {@code i}, {@code m}, {@code s}) is found in {@code value}.
     * False for an absent value and for every test of a disabled rule.
     */
    public boolean find(String rule, String value, String regex, String flags) {
        if (value == null || disabled.contains(rule)) {
            return false;
        }
        Compiled c = compiled(regex, flags);
        if (c.linearOnly) {
            return c.re2().matcher(value).find();
        }
        try {
            return c.java().matcher(new Budget(value)).find();
        } catch (BudgetExceeded e) {
            if (c.re2() != null) {
                c.linearOnly = true;
                switched.incrementAndGet();
                LOG.warn("Sigma rule {}: its regular expression /{}/{} exceeded {} steps on one value of {} characters "
                        + "(catastrophic backtracking); it runs on RE2/J (linear time) from now on", rule, regex, flags,
                        STEP_BUDGET, value.length());
                return c.re2().matcher(value).find();
            }
            if (disabled.add(rule)) {
                exceeded.incrementAndGet();
                LOG.warn("Sigma rule {} disabled: its regular expression /{}/{} exceeded {} steps on one value of {} "
                        + "characters (catastrophic backtracking) and RE2/J cannot run it; its regex tests are false "
                        + "from now on", rule, regex, flags, STEP_BUDGET, value.length());
            }
            return false;
        }
    }

    /** Patterns moved to RE2/J after exceeding the budget. */
    public long switchedToLinear() {
        return switched.get();
    }

    /** The rules disabled because a pattern exceeded its budget. */
    public List<String> disabledRules() {
        return disabled.stream().sorted().toList();
    }

    /** How many rules were disabled for exceeding the budget. */
    public long budgetExceeded() {
        return exceeded.get();
    }

    private Compiled compiled(String regex, String flags) {
        // Without flags (most rules) the pattern is the key: the DRL passes the same constant String each time,
        // whose hash is cached, where a key built per call hashed the whole pattern again on every event.
        String key = flags.isEmpty() ? regex : flags + '\u0000' + regex;
        Map<String, Compiled> cache = flags.isEmpty() ? this.cache : this.flagged;
        Compiled c = cache.get(key);
        if (c == null) {
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear();
            }
            c = compile(regex, flags);
            cache.put(key, c);
        }
        return c;
    }

    /** Whether RE2/J can run this pattern (else a rule over the budget is disabled). */
    static boolean linear(String regex, String flags) {
        return compile(regex, flags).re2() != null;
    }

    private static Compiled compile(String regex, String flags) {
        int jf = 0;
        int rf = 0;
        if (flags.indexOf('i') >= 0) {
            jf |= java.util.regex.Pattern.CASE_INSENSITIVE | java.util.regex.Pattern.UNICODE_CASE;
            rf |= com.google.re2j.Pattern.CASE_INSENSITIVE;
        }
        if (flags.indexOf('m') >= 0) {
            jf |= java.util.regex.Pattern.MULTILINE;
            rf |= com.google.re2j.Pattern.MULTILINE;
        }
        if (flags.indexOf('s') >= 0) {
            jf |= java.util.regex.Pattern.DOTALL;
            rf |= com.google.re2j.Pattern.DOTALL;
        }
        java.util.regex.Pattern j = java.util.regex.Pattern.compile(regex, jf);
        // A class intersection (&&), which RE2 would read as literal ampersands, has no RE2/J form. (One known
        // difference remains: without m, RE2's $ is the end of the value only, Java's also before a final line
        // break; process-event values do not end in one.)
        com.google.re2j.Pattern r = null;
        if (!regex.contains("&&")) {
            try {
                r = com.google.re2j.Pattern.compile(regex, rf);
            } catch (com.google.re2j.PatternSyntaxException | IllegalArgumentException e) {
                // not RE2 syntax: java.util.regex with the budget only
            }
        }
        return new Compiled(r, j);
    }

    /** Thrown by {@link Budget} when a match has read its allowance of characters. */
    private static final class BudgetExceeded extends RuntimeException {
        BudgetExceeded() {
            super(null, null, false, false);
        }
    }

    /** The value as the java.util.regex matcher reads it, counting reads: backtracking shows as reads. */
    private static final class Budget implements CharSequence {
        private final String s;
        private long left = STEP_BUDGET;

        Budget(String s) {
            this.s = s;
        }

        @Override
        public char charAt(int index) {
            if (--left < 0) {
                throw new BudgetExceeded();
            }
            return s.charAt(index);
        }

        @Override
        public int length() {
            return s.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return s.subSequence(start, end);
        }

        @Override
        public String toString() {
            return s;
        }
    }
}
