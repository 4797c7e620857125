package io.procwatch.detect.model;

import org.kie.api.KieServices;
import org.kie.api.builder.model.KieModuleModel;
import org.kie.api.conf.EventProcessingOption;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Build step (run by {@code exec-maven-plugin} in {@code process-classes}): compiles the bundled DRL into the
 * executable model and writes its classes, with the list of model classes, into the build's class folder, so that
 * {@code RuleSet.bundled()} builds the KieBase from classes instead of parsing and compiling DRL at every start.
 *
 * <p>Arguments: the DRL folder, the class output folder, the rules' package, the KieBase name.
 */
public final class ExecutableModelGenerator {

    private ExecutableModelGenerator() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: ExecutableModelGenerator RULES_DIR CLASSES_DIR PACKAGE KBASE");
            System.exit(2);
        }
        Path rules = Path.of(args[0]);
        Path out = Path.of(args[1]);
        String pkg = args[2];
        long t0 = System.nanoTime();
        Map<String, String> drl = new LinkedHashMap<>();
        try (Stream<Path> s = Files.walk(rules)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".drl") && Files.isRegularFile(f)).sorted().toList()) {
                drl.put(p.toString(), Files.readString(p));
            }
        }
        // A rebuild with neither the rules nor the classes they use changed keeps the model it made: generating it
        // costs a JVM and ~10 s CPU, on every `mvn test` otherwise.
        Path stamp = out.resolve(pkg.replace('.', '/') + "/" + ExecutableModelLoader.MODEL_LIST + ".sha256");
        String key = inputsHash(drl, out, out.resolve(pkg.replace('.', '/')));
        if (Files.isRegularFile(stamp) && Files.readString(stamp).equals(key)
                && Files.isRegularFile(out.resolve(pkg.replace('.', '/') + "/" + ExecutableModelLoader.MODEL_LIST))) {
            System.out.printf("executable model of %d DRL files: up to date%n", drl.size());
            return;
        }
        KieServices ks = KieServices.Factory.get();
        KieModuleModel km = ks.newKieModuleModel();
        km.newKieBaseModel(args[3]).setDefault(true).setEventProcessingMode(EventProcessingOption.STREAM)
                .setBetaRangeIndexOption(org.kie.api.conf.BetaRangeIndexOption.ENABLED).addPackage(pkg);
        ExecutableModelCompiler.Compiled c;
        try {
            c = ExecutableModelCompiler.compile(drl, km, pkg.replace('.', '/') + "/",
                    ks.newReleaseId("io.procwatch", "bundled-rules", "1.0.0"));
        } catch (ExecutableModelCompiler.CompileFailure e) {
            e.problems().forEach(p -> System.err.println(p.path() + ":" + p.line() + ": " + p.message()));
            System.exit(3);
            return;
        }
        write(c, out, out.resolve(pkg.replace('.', '/') + "/" + ExecutableModelLoader.MODEL_LIST));
        Files.writeString(stamp, key);
        System.out.printf("executable model of %d DRL files: %d classes in %.1f s%n", drl.size(), c.classFiles().size(),
                (System.nanoTime() - t0) / 1e9);
    }

    /** SHA-256 over the DRL texts and every class file under {@code classes} except the generated ones. */
    static String inputsHash(Map<String, String> drl, Path classes, Path generated) throws IOException {
        java.security.MessageDigest md;
        try {
            md = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (Map.Entry<String, String> d : drl.entrySet()) {
            md.update((d.getKey() + "\n" + d.getValue() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        try (Stream<Path> s = Files.walk(classes)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".class") && !f.startsWith(generated)
                    && !f.startsWith(classes.resolve("org/drools"))).sorted().toList()) {
                md.update(classes.relativize(p).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update(Files.readAllBytes(p));
            }
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    /** Writes the classes under {@code out} and the model list to {@code list}. */
    static void write(ExecutableModelCompiler.Compiled c, Path out, Path list) throws IOException {
        for (Map.Entry<String, byte[]> e : c.classFiles().entrySet()) {
            Path p = out.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, e.getValue());
        }
        Files.createDirectories(list.getParent());
        Files.writeString(list, String.join("\n", c.modelClasses()) + "\n");
    }
}
