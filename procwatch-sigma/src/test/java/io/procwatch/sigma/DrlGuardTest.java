package io.procwatch.sigma;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The prefilter's guard, derived from DRL constraint texts. */
class DrlGuardTest {

    private static String guard(String... constraints) {
        List<List<String[]>> g = DrlGuard.of(List.of(constraints));
        return g.isEmpty() ? null : SigmaGuard.text(g);
    }

    @Test
    void operatorsAndFunctionsGiveNeedles() {
        assertEquals("CommandLine contains \"-nographic\"", guard("lc( \"CommandLine\" ) contains \"-nographic\""));
        assertEquals("Image contains \"\\\\qemu.exe\"", guard("endsWith( lc( \"Image\" ), \"\\\\qemu.exe\" )"));
        assertEquals("Image contains \"abc\"", guard("get( \"Image\" ) == \"ABC\""), "cased needles are lower-cased");
        assertEquals("CommandLine contains \"-m 1m\" || CommandLine contains \"-m 2m\"",
                guard("lc( \"CommandLine\" ) contains \"-m 1m\" || lc( \"CommandLine\" ) contains \"-m 2m\""));
        assertEquals("CommandLine contains \"katzen\"", guard("glob( lc( \"CommandLine\" ), \"*mi?katzen*\" )"),
                "a glob's longest literal run");
    }

    @Test
    void conjunctionsPickTheRarestAndUnknownsAreSafe() {
        // AND: the longer (rarer) needle; a test it cannot read (eventId, rule ==) adds nothing.
        assertEquals("CommandLine contains \"restrict=off\"", guard("rule == \"x\"", "eventId == 1",
                "lc( \"CommandLine\" ) contains \"-m\"", "lc( \"CommandLine\" ) contains \"restrict=off\""));
        // OR with a branch it cannot guard: no guard at all.
        assertNull(guard("lc( \"CommandLine\" ) contains \"abcdef\" || has( \"Hashes\" )"));
        // A negation proves nothing.
        assertNull(guard("!( lc( \"CommandLine\" ) contains \"abcdef\" )"));
        // Inside parentheses, with a negated sibling.
        assertEquals("Image contains \"\\\\certutil.exe\"", guard(
                "( endsWith( lc( \"Image\" ), \"\\\\certutil.exe\" ) && !( lc( \"CommandLine\" ) contains \"x\" ) )"));
    }

    @Test
    void conjunctionsKeepSeveralSelectiveClausesRarestFirst() {
        // Each conjunct is necessary: the event must hold a needle of every clause kept. The weak "-m" is left out.
        String g = guard("lc( \"CommandLine\" ) contains \"-m\"", "lc( \"CommandLine\" ) contains \"-nographic\"",
                "( lc( \"Image\" ) contains \"\\\\qemu-system\" || lc( \"OriginalFileName\" ) contains \"qemu\" )");
        assertEquals("CommandLine contains \"-nographic\" && (Image contains \"\\\\qemu-system\" || OriginalFileName contains \"qemu\")", g);
        // The text reads back into the same clauses (explain parses it).
        List<List<String[]>> back = SigmaGuard.parse(g);
        assertEquals(2, back.size());
        assertEquals(g, SigmaGuard.text(back));
        // At most MAX_CLAUSES.
        String many = guard("lc( \"CommandLine\" ) contains \"alpha-one\"", "lc( \"CommandLine\" ) contains \"bravo-two\"",
                "lc( \"CommandLine\" ) contains \"charlie-3\"", "lc( \"CommandLine\" ) contains \"delta-four\"");
        assertEquals(SigmaConverter.MAX_CLAUSES, SigmaGuard.parse(many).size(), many);
    }

    /** The executable model keeps a constraint's text with its comments; a // inside a needle is not one. */
    @Test
    void commentsAreSkippedOutsideStrings() {
        assertEquals("CommandLine contains \"http://x\" || Image contains \"\\\\a.exe\"", guard(
                "( // selection: the \"url\"\n  lc( \"CommandLine\" ) contains \"http://x\"\n"
                        + "  || /* or */ endsWith( lc( \"Image\" ), \"\\\\a.exe\" ) )"));
    }

    @Test
    void regexLiterals() {
        // Under re|i the letter i ends a literal run (ı and İ fold to it).
        assertEquals("CommandLine contains \"nvoke-\"", guard("re( \"CommandLine\", \"Invoke-\\\\w+\", \"i\" )"));
    }
}
