package org.proper.common;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

/**
 * The validated configuration of a run: the defaults of conf/proper.conf (on the classpath), overlaid by an optional
 * --config file, overlaid by -Dproper.key=value overrides. Unknown keys and bad values fail at load with the key's
 * name and what is allowed. Immutable and Serializable (shipped to executors as its rendered HOCON text).
 */
public final class ProperConfig implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final String DEFAULTS_RESOURCE = "proper.conf";

    private final String rendered;
    private transient Config config;

    private ProperConfig(Config resolved) {
        this.config = resolved;
        this.rendered = resolved.root().render(ConfigRenderOptions.concise());
    }

    /** Defaults only. */
    public static ProperConfig defaults() {
        return load(null, Map.of());
    }

    /**
     * @param file      a HOCON file (may include others relative to itself), or null
     * @param overrides key=value pairs, keys with or without the leading "proper."
     */
    public static ProperConfig load(Path file, Map<String, String> overrides) {
        Config defaults = defaultsConfig();
        Config layered = defaults;
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new ConfigException("Cannot read config file " + file + ": no such file");
            }
            Config fromFile;
            try {
                fromFile = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
            } catch (com.typesafe.config.ConfigException e) {
                throw new ConfigException("Cannot parse config file " + file + ": " + e.getMessage(), e);
            }
            layered = fromFile.withFallback(layered);
        }
        if (!overrides.isEmpty()) {
            Config fromOverrides;
            try {
                StringBuilder sb = new StringBuilder();
                for (Map.Entry<String, String> e : overrides.entrySet()) {
                    String key = e.getKey().startsWith("proper.") ? e.getKey() : "proper." + e.getKey();
                    sb.append(key).append(" = ").append(quoteIfNeeded(e.getValue())).append('\n');
                }
                fromOverrides = ConfigFactory.parseString(sb.toString());
            } catch (com.typesafe.config.ConfigException e) {
                throw new ConfigException("Cannot parse -D override: " + e.getMessage(), e);
            }
            layered = fromOverrides.withFallback(layered);
        }
        Config resolved;
        try {
            resolved = layered.resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(true));
        } catch (com.typesafe.config.ConfigException e) {
            throw new ConfigException("Cannot resolve config: " + e.getMessage(), e);
        }
        rejectUnknownKeys(resolved, defaults);
        ConfigRules.check(resolved);
        return new ProperConfig(resolved);
    }

    /**
     * A configuration from the JSON of its proper section, as {@link #toJson()} writes it into a run's manifest, layered
     * over the bundled defaults and validated like {@link #load}: how serving recovers the settings a run was trained
     * with.
     */
    public static ProperConfig fromJson(String properSectionJson) {
        Config parsed;
        try {
            parsed = ConfigFactory.parseString(properSectionJson, ConfigParseOptions.defaults().setSyntax(com.typesafe.config.ConfigSyntax.JSON));
        } catch (com.typesafe.config.ConfigException e) {
            throw new ConfigException("Cannot parse config JSON: " + e.getMessage(), e);
        }
        Config defaults = defaultsConfig();
        Config resolved;
        try {
            resolved = parsed.atKey("proper").withFallback(defaults).resolve();
        } catch (com.typesafe.config.ConfigException e) {
            throw new ConfigException("Cannot resolve config: " + e.getMessage(), e);
        }
        rejectUnknownKeys(resolved, defaults);
        ConfigRules.check(resolved);
        return new ProperConfig(resolved);
    }

    private static String quoteIfNeeded(String v) {
        String t = v.trim();
        if (t.startsWith("[") || t.startsWith("{") || t.startsWith("\"")) return t;
        return ConfigValueQuoting.quote(t);
    }

    static Config defaultsConfig() {
        Config d = ConfigFactory.parseResources(ProperConfig.class.getClassLoader(), DEFAULTS_RESOURCE,
                ConfigParseOptions.defaults().setAllowMissing(false));
        if (!d.hasPath("proper")) {
            throw new IllegalStateException("Bundled defaults " + DEFAULTS_RESOURCE + " have no 'proper' section");
        }
        return d.resolve();
    }

    private static void rejectUnknownKeys(Config actual, Config defaults) {
        if (!actual.hasPath("proper")) return;
        for (Map.Entry<String, ConfigValue> e : actual.getConfig("proper").entrySet()) {
            String path = "proper." + e.getKey();
            if (underFreeForm(path)) continue;
            if (!defaults.hasPath(path)) {
                throw new ConfigException("Unknown config key " + path + suggestion(path, defaults));
            }
            ConfigValueType want = defaults.getValue(path).valueType();
            ConfigValueType got = e.getValue().valueType();
            if (want == ConfigValueType.LIST && got != ConfigValueType.LIST) {
                throw new ConfigException("Invalid value for " + path + ": expected a list like "
                        + defaults.getValue(path).render(ConfigRenderOptions.concise()));
            }
        }
    }

    private static boolean underFreeForm(String path) {
        for (String f : ConfigRules.FREE_FORM) if (path.equals(f) || path.startsWith(f + ".")) return true;
        return false;
    }

    private static String suggestion(String path, Config defaults) {
        int dot = path.lastIndexOf('.');
        String parent = path.substring(0, dot);
        if (defaults.hasPath(parent)) {
            TreeSet<String> keys = new TreeSet<>(defaults.getConfig(parent).root().keySet());
            return "; keys allowed in " + parent + ": " + keys;
        }
        return "";
    }

    private Config c() {
        if (config == null) config = ConfigFactory.parseString(rendered).resolve();
        return config;
    }

    /** The underlying Typesafe config (read-only). */
    public Config raw() {
        return c();
    }

    public String getString(String path) { return c().getString(path); }
    public int getInt(String path) { return c().getInt(path); }
    public long getLong(String path) { return c().getLong(path); }
    public double getDouble(String path) { return c().getDouble(path); }
    public boolean getBoolean(String path) { return c().getBoolean(path); }
    public List<String> getStringList(String path) { return c().getStringList(path); }

    /** The proper section as JSON (for the manifest). */
    public String toJson() {
        return c().getConfig("proper").root().render(ConfigRenderOptions.concise().setJson(true));
    }

    /** sha256 of the canonical (sorted-key) JSON of the proper section: equal configs hash equal. */
    public String sha256() {
        String canonical = Canonical.json(c().getConfig("proper").root().unwrapped());
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy with extra overrides applied (validated again). */
    public ProperConfig with(Map<String, String> overrides) {
        Config over = ConfigFactory.parseMap(overrides);
        Config merged = over.withFallback(c()).resolve();
        rejectUnknownKeys(merged, defaultsConfig());
        ConfigRules.check(merged);
        return new ProperConfig(merged);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProperConfig p && Objects.equals(sha256(), p.sha256());
    }

    @Override
    public int hashCode() {
        return sha256().hashCode();
    }
}
