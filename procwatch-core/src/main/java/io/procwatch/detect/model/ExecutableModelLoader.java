package io.procwatch.detect.model;

import org.drools.model.Model;
import org.drools.modelcompiler.KieBaseBuilder;
import org.kie.api.KieBase;
import org.kie.api.KieBaseConfiguration;
import org.kie.api.KieServices;
import org.kie.api.conf.EventProcessingOption;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a KieBase from executable-model classes ({@link KieBaseBuilder#createKieBaseFromModel}): no DRL parsing,
 * no Java compilation, no KieContainer. The classes come from the procwatch jar (the bundled rules, generated at
 * build time) or from the on-disk cache of compiled rule folders.
 */
public final class ExecutableModelLoader {

    /** The resource, beside the rules' classes, that lists the generated {@code Model} classes. */
    public static final String MODEL_LIST = "executable-model.list";

    private ExecutableModelLoader() {
    }

    /**
     * The KieBase of the models listed in {@code listResource}, or {@code null} when the class loader holds no such
     * list (a build without the generated model).
     */
    public static KieBase load(ClassLoader loader, String listResource) throws IOException {
        String listing;
        try (InputStream in = loader.getResourceAsStream(listResource)) {
            if (in == null) {
                return null;
            }
            listing = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        return build(loader, listing.lines().toList());
    }

    /** The KieBase (STREAM mode, for CEP) of the named {@code Model} classes; lines holding {@code :} are headers. */
    public static KieBase build(ClassLoader loader, List<String> modelClasses) throws IOException {
        return build(loader, modelClasses, List.of());
    }

    /**
     * {@link #build(ClassLoader, List)}, with the other classes of the model ({@code preload}, binary names) loaded
     * meanwhile by a second thread, from the end of the list while the model's construction loads them from the
     * start: the class loading (reading, parsing, verifying thousands of generated classes) is most of the time of
     * a big rule set (1,415 Sigma rules: about 5,700 classes), and it runs in parallel on a class loader that is
     * parallel-capable (as {@link java.net.URLClassLoader} is). Generated lambda classes (enum singletons without
     * side effects) are also initialised there; the others only loaded. A class the helper fails on is simply
     * loaded, and its error raised, by the model as without the helper.
     */
    public static KieBase build(ClassLoader loader, List<String> modelClasses, List<String> preload) throws IOException {
        Thread helper = null;
        if (preload.size() > PRELOAD_MIN) {
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            helper = new Thread(() -> {
                for (int i = preload.size() - 1; i >= 0 && !done.get(); i--) {
                    String n = preload.get(i);
                    try {
                        Class.forName(n, n.substring(n.lastIndexOf('.') + 1).startsWith("Lambda"), loader);
                    } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
                        // left to the model's own loading, which reports it
                    }
                }
            }, "procwatch-model-preload");
            helper.setDaemon(true);
            helper.start();
            try {
                return buildModels(loader, modelClasses);
            } finally {
                done.set(true);
            }
        }
        return buildModels(loader, modelClasses);
    }

    /** Below this many classes a second loading thread is not worth starting. */
    private static final int PRELOAD_MIN = 500;

    private static KieBase buildModels(ClassLoader loader, List<String> modelClasses) throws IOException {
        List<Model> models = new ArrayList<>();
        for (String name : modelClasses) {
            String n = name.strip();
            if (n.isEmpty() || n.contains(":")) {
                continue;
            }
            try {
                models.add((Model) Class.forName(n, true, loader).getDeclaredConstructor().newInstance());
            } catch (ReflectiveOperationException | LinkageError e) {
                throw new IOException("executable model class " + n + " cannot be loaded: " + e, e);
            }
        }
        if (models.isEmpty()) {
            throw new IOException("no executable model classes listed");
        }
        KieBaseConfiguration conf = KieServices.Factory.get().newKieBaseConfiguration();
        conf.setOption(EventProcessingOption.STREAM);
        conf.setOption(org.kie.api.conf.BetaRangeIndexOption.ENABLED); // see RuleSet.kmodule
        return KieBaseBuilder.createKieBaseFromModel(models, conf);
    }
}
