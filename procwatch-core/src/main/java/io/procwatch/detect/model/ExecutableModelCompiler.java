package io.procwatch.detect.model;

import org.drools.compiler.kie.builder.impl.InternalKieModule;
import org.drools.model.codegen.ExecutableModelProject;
import org.drools.modelcompiler.CanonicalKieModule;
import org.kie.api.KieServices;
import org.kie.api.builder.KieBuilder;
import org.kie.api.builder.KieFileSystem;
import org.kie.api.builder.Message;
import org.kie.api.builder.ReleaseId;
import org.kie.api.builder.model.KieModuleModel;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compiles DRL into Drools' executable model: Java sources generated from the rules and compiled to classes, which
 * {@link org.drools.modelcompiler.KieBaseBuilder#createKieBaseFromModel} turns into a KieBase without parsing DRL
 * or compiling anything again. The result is the compiled classes by resource name plus the model classes to load.
 */
public final class ExecutableModelCompiler {

    /** The compiled model: class files by resource name ({@code a/b/C.class}) and the {@code Model} classes. */
    public record Compiled(Map<String, byte[]> classFiles, List<String> modelClasses) {
    }

    /** A DRL compile problem: where and what. */
    public record Problem(String path, int line, String message) {
    }

    /** The DRL does not compile into the executable model. */
    public static final class CompileFailure extends Exception {
        private final List<Problem> problems;

        CompileFailure(List<Problem> problems) {
            super(problems.size() + " problem(s), first: " + problems.get(0));
            this.problems = List.copyOf(problems);
        }

        public List<Problem> problems() {
            return problems;
        }
    }

    private ExecutableModelCompiler() {
    }

    /**
     * @param drlFiles   DRL text by the name to report problems under, in the order the KieBase reads them
     * @param kmodule    the module with the one KieBase that reads package {@code packageName}
     * @param rulesPath  the classpath folder of the KieBase's package ({@code io/procwatch/rules/})
     * @param release    the release id the generated project-model class is named after
     */
    public static Compiled compile(Map<String, String> drlFiles, KieModuleModel kmodule, String rulesPath,
                                   ReleaseId release) throws CompileFailure {
        KieServices ks = KieServices.Factory.get();
        KieFileSystem kfs = ks.newKieFileSystem();
        kfs.generateAndWritePomXML(release);
        kfs.writeKModuleXML(kmodule.toXML());
        Map<String, String> byKiePath = new LinkedHashMap<>();
        int n = 0;
        for (Map.Entry<String, String> f : drlFiles.entrySet()) {
            String leaf = Path.of(f.getKey()).getFileName().toString();
            String name = rulesPath + String.format("%03d_", n++) + leaf;
            byKiePath.put(name, f.getKey());
            kfs.write("src/main/resources/" + name, MapAnnotations.asStrings(f.getValue()).getBytes(StandardCharsets.UTF_8));
        }
        KieBuilder builder;
        try {
            builder = ks.newKieBuilder(kfs).buildAll(ExecutableModelProject.class);
        } catch (RuntimeException e) {
            // Drools' model generator throws for what it cannot express instead of reporting a message, e.g. an
            // annotation with a map value (@throttle( fields=…, window=… )): "cannot define a canonical
            // representation for a java.util.Map yet". The rules may still compile as DRL.
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            throw new CompileFailure(List.of(new Problem(String.join(", ", drlFiles.keySet()), 0,
                    "the executable model cannot compile these rules: " + root)));
        }
        List<Problem> problems = new ArrayList<>();
        for (Message m : builder.getResults().getMessages(Message.Level.ERROR)) {
            String p = byKiePath.get(m.getPath());
            problems.add(new Problem(p != null ? p : String.valueOf(m.getPath()), m.getLine(),
                    m.getText().strip().replaceAll("\\s*\\n\\s*", "; ")));
        }
        if (!problems.isEmpty()) {
            throw new CompileFailure(problems);
        }
        InternalKieModule module = (InternalKieModule) builder.getKieModule();
        Map<String, byte[]> classes = new TreeMap<>();
        for (String f : module.getFileNames()) {
            if (f.endsWith(".class")) {
                classes.put(f, module.getBytes(f));
            }
        }
        String listing = new String(module.getBytes(CanonicalKieModule.getModelFileWithGAV(release)), StandardCharsets.UTF_8);
        List<String> models = listing.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        return new Compiled(classes, models);
    }
}
