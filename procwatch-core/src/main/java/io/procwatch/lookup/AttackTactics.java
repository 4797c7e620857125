package io.procwatch.lookup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * MITRE ATT&amp;CK technique → tactic table (Enterprise v18.0, shipped as
 * {@code io/procwatch/risk/attack-technique-tactics.tsv}; its header names the source). Immutable.
 */
public final class AttackTactics {

    /** The ATT&amp;CK release the table was taken from. */
    public static final String ATTACK_VERSION = "18.0";

    private static final String RESOURCE = "/io/procwatch/risk/attack-technique-tactics.tsv";

    /** A tactic: its id ({@code TA0005}) and MITRE's short name ({@code defense-evasion}). */
    public record Tactic(String id, String name) {
    }

    private final Map<String, List<Tactic>> byTechnique;

    private AttackTactics(Map<String, List<Tactic>> byTechnique) {
        this.byTechnique = Map.copyOf(byTechnique);
    }

    /** The shipped table. */
    public static AttackTactics bundled() {
        try (InputStream in = AttackTactics.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            Map<String, List<Tactic>> m = new HashMap<>();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] cols = line.split("\t");
                String[] ids = cols[1].split(",");
                String[] names = cols[2].split(",");
                List<Tactic> tactics = new ArrayList<>();
                for (int i = 0; i < ids.length; i++) {
                    tactics.add(new Tactic(ids[i], names[i]));
                }
                m.put(cols[0], List.copyOf(tactics));
            }
            return new AttackTactics(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Tactics of one technique id; a sub-technique not in the table takes its parent's; unknown → empty. */
    public List<Tactic> of(String technique) {
        String t = technique.trim().toUpperCase(java.util.Locale.ROOT);
        List<Tactic> l = byTechnique.get(t);
        if (l == null && t.contains(".")) {
            l = byTechnique.get(t.substring(0, t.indexOf('.')));
        }
        return l == null ? List.of() : l;
    }

    /** Whether the table knows this technique id (or its parent technique). */
    public boolean knows(String technique) {
        return !of(technique).isEmpty();
    }

    /** The distinct tactics of several techniques, in first-seen order. */
    public List<Tactic> of(List<String> techniques) {
        Set<Tactic> out = new LinkedHashSet<>();
        for (String t : techniques) {
            out.addAll(of(t));
        }
        return List.copyOf(out);
    }

    /** Number of techniques in the table. */
    public int size() {
        return byTechnique.size();
    }

    @Override
    public String toString() {
        return "AttackTactics" + Arrays.asList(ATTACK_VERSION, size());
    }
}
