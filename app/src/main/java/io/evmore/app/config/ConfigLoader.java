package io.evmore.app.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Loads the configuration: built-in defaults, the YAML file laid over them, then environment overrides;
 * binds strictly (unknown keys and wrong types rejected) and validates ranges. Every failure is a
 * {@link ConfigException} naming the key.
 */
public final class ConfigLoader {


    private static final ObjectMapper YAML = JsonMapper.builder(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // http.port: 3130.9 must be refused, not truncated to 3130.
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    private static final ObjectNode ETHEREUM_DEFAULTS = (ObjectNode) parseResource("/config-defaults-ethereum.yaml");
    private static final ObjectNode COSMOS_DEFAULTS = (ObjectNode) parseResource("/config-defaults-cosmos.yaml");

    private ConfigLoader() {}

    /** The guide's production pool settings for Ethereum, from the defaults file. */
    public static RelayerConfig.Pool defaultEthereumPool() {
        return pool(ETHEREUM_DEFAULTS);
    }

    /** The guide's production pool settings for a Cosmos chain, from the defaults file. */
    public static RelayerConfig.Pool defaultCosmosPool() {
        return pool(COSMOS_DEFAULTS);
    }

    private static RelayerConfig.Pool pool(ObjectNode chainDefaults) {
        try {
            return YAML.treeToValue(chainDefaults.get("pool"), RelayerConfig.Pool.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("built-in pool defaults do not bind", e);
        }
    }

    /** Loads {@code file} with the process environment. */
    public static RelayerConfig load(Path file) {
        return load(file, System.getenv());
    }

    public static RelayerConfig load(Path file, Map<String, String> env) {
        JsonNode tree = readTree(file);
        return bind(tree, env, file.toString());
    }

    /** Parses YAML text (for tests and reload). */
    public static RelayerConfig fromYaml(String yaml, Map<String, String> env) {
        try {
            return bind(YAML.readTree(yaml), env, "<text>");
        } catch (JsonProcessingException e) {
            throw syntaxError("<text>", e);
        }
    }

    private static JsonNode readTree(Path file) {
        try {
            return YAML.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException("", "config file " + file + " does not exist");
        } catch (JsonProcessingException e) {
            throw syntaxError(file.toString(), e);
        } catch (IOException e) {
            throw new ConfigException("", "cannot read config file " + file + ": " + e.getMessage());
        }
    }

    private static ConfigException syntaxError(String source, JsonProcessingException e) {
        var loc = e.getLocation();
        String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
        return new ConfigException("", "config file " + source + " is not valid YAML" + where + ": " + e.getOriginalMessage());
    }

    private static RelayerConfig bind(JsonNode fileTree, Map<String, String> env, String source) {
        if (fileTree == null || fileTree.isMissingNode() || fileTree.isNull()) {
            fileTree = JsonNodeFactory.instance.objectNode();
        }
        if (!fileTree.isObject()) {
            throw new ConfigException("", "config file " + source + " must be a YAML mapping of keys, not a " + fileTree.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        ObjectNode tree = ((ObjectNode) parseResource("/config-defaults.yaml")).deepCopy();
        merge(tree, (ObjectNode) fileTree, "");
        applyEnv(tree, env);
        applyChainDefaults(tree);
        RelayerConfig config;
        try {
            config = YAML.treeToValue(tree, RelayerConfig.class);
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            throw new ConfigException(path(e), "unknown key" + (known.isEmpty() ? "" : " (known keys here: " + known + ")"));
        } catch (InvalidFormatException e) {
            throw new ConfigException(path(e), "expected " + typeName(e.getTargetType()) + ", got " + describe(e.getValue()));
        } catch (MismatchedInputException e) {
            throw new ConfigException(path(e), "expected " + typeName(e.getTargetType()) + ": " + firstLine(e.getOriginalMessage()));
        } catch (JsonMappingException e) {
            throw new ConfigException(path(e), firstLine(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw new ConfigException("", firstLine(e.getOriginalMessage()));
        }
        ConfigValidator.validate(config);
        return config;
    }

    /** Lays {@code over} onto {@code base}; a key present in {@code over} replaces (objects merge recursively). */
    private static void merge(ObjectNode base, ObjectNode over, String prefix) {
        Iterator<Map.Entry<String, JsonNode>> it = over.fields();
        while (it.hasNext()) {
            var e = it.next();
            JsonNode existing = base.get(e.getKey());
            if (existing instanceof ObjectNode eo && e.getValue() instanceof ObjectNode vo) {
                merge(eo, vo, prefix + e.getKey() + ".");
            } else {
                base.set(e.getKey(), e.getValue());
            }
        }
    }

    private static void applyEnv(ObjectNode tree, Map<String, String> env) {
        String v;
        if ((v = env.get("FUSION_ENV")) != null && !v.isBlank()) tree.put("environment", v.trim().toLowerCase(Locale.ROOT));
        if ((v = env.get("LOG_LEVEL")) != null && !v.isBlank()) tree.put("logLevel", v.trim().toLowerCase(Locale.ROOT));
        if ((v = env.get("ENABLE_TRACING")) != null && !v.isBlank()) {
            String b = v.trim().toLowerCase(Locale.ROOT);
            if (!b.equals("true") && !b.equals("false")) {
                throw new ConfigException("ENABLE_TRACING", "expected true or false, got \"" + v + "\"");
            }
            ((ObjectNode) tree.get("tracing")).put("enabled", Boolean.parseBoolean(b));
        }
        if ((v = env.get("DATABASE_URL")) != null && !v.isBlank()) ((ObjectNode) tree.get("database")).put("url", v.trim());
        if ((v = env.get("ADMIN_TOKEN")) != null && !v.isBlank()) ((ObjectNode) tree.get("admin")).put("token", v);
        applySecretsEnv(tree, env);
        ObjectNode chains = tree.get("chains") instanceof ObjectNode o ? o : tree.putObject("chains");
        if ((v = env.get("ETHEREUM_RPC_URL")) != null && !v.isBlank()) {
            ObjectNode eth = chains.get("ethereum") instanceof ObjectNode o ? o : chains.putObject("ethereum");
            eth.set("rpcUrls", urlList(v));
        }
        if ((v = env.get("COSMOS_RPC_URL")) != null && !v.isBlank()) {
            ArrayNode cosmos = chains.get("cosmos") instanceof ArrayNode a ? a : chains.putArray("cosmos");
            ObjectNode first = cosmos.size() > 0 && cosmos.get(0) instanceof ObjectNode o ? o : null;
            if (first == null) {
                throw new ConfigException("COSMOS_RPC_URL", "is set but no Cosmos chain is configured under chains.cosmos to apply it to");
            }
            first.set("rpcUrls", urlList(v));
        }
    }

    /**
     * The secret providers' conventional variables: VAULT_ADDR, VAULT_NAMESPACE, VAULT_ROLE_ID and OP_CONNECT_HOST
     * override the file; AWS_REGION fills secrets.aws.region only when the file leaves it empty (as the SDK does).
     */
    private static void applySecretsEnv(ObjectNode tree, Map<String, String> env) {
        if (!(tree.get("secrets") instanceof ObjectNode secrets)) return;
        String v;
        if (secrets.get("vault") instanceof ObjectNode vault) {
            if ((v = env.get("VAULT_ADDR")) != null && !v.isBlank()) vault.put("endpoint", v.trim());
            if ((v = env.get("VAULT_NAMESPACE")) != null && !v.isBlank()) vault.put("namespace", v.trim());
            if ((v = env.get("VAULT_ROLE_ID")) != null && !v.isBlank()) vault.put("roleId", v.trim());
        }
        if (secrets.get("aws") instanceof ObjectNode aws && aws.path("region").asText("").isBlank()
                && (v = env.get("AWS_REGION")) != null && !v.isBlank()) {
            aws.put("region", v.trim());
        }
        if (secrets.get("onepassword") instanceof ObjectNode op && (v = env.get("OP_CONNECT_HOST")) != null && !v.isBlank()) {
            op.put("connectHost", v.trim());
        }
    }

    private static ArrayNode urlList(String commaSeparated) {
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        for (String part : commaSeparated.split(",")) {
            if (!part.isBlank()) list.add(part.trim());
        }
        return list;
    }

    private static void applyChainDefaults(ObjectNode tree) {
        if (!(tree.get("chains") instanceof ObjectNode chains)) return;
        if (chains.get("ethereum") instanceof ObjectNode eth) {
            ObjectNode merged = ETHEREUM_DEFAULTS.deepCopy();
            merge(merged, eth, "chains.ethereum.");
            chains.set("ethereum", merged);
        }
        if (chains.get("cosmos") instanceof ArrayNode list) {
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i) instanceof ObjectNode c) {
                    ObjectNode merged = COSMOS_DEFAULTS.deepCopy();
                    merge(merged, c, "");
                    list.set(i, merged);
                }
            }
        }
    }

    private static JsonNode parseResource(String name) {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing resource " + name);
            return YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) sb.append('.');
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String typeName(Class<?> type) {
        if (type == null) return "a different value";
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) return "an integer";
        if (type == boolean.class || type == Boolean.class) return "true or false";
        if (type == String.class) return "a string";
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.stream(type.getEnumConstants())
                    .map(c -> c.toString().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
        }
        if (java.util.List.class.isAssignableFrom(type)) return "a list";
        if (type.isRecord()) return "a mapping of keys";
        return type.getSimpleName();
    }

    private static String describe(Object value) {
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }

    private static String firstLine(String s) {
        if (s == null) return "invalid value";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
